// A fleet booting together: N machines (each a private Docker engine, with its own /var/lib/rancher and
// rancher-enroll state) run `rancher-enroll up` at the same moment against one environment of the Rancher 1.6
// simulator that has no registration token. Prints how many enrolled, the tokens created and left, and the
// requests the server had to answer, in all, per enrolled host and per phase of `up`.
// Usage: npm run bench:fleet -- [--machines N] [--concurrency K] [--pull]
//   --machines N     machines (default 50)
//   --concurrency K  engines started at once (default 4)
//   --pull           each `up` pulls the agent image from the test registry (default: it is preloaded in every
//                    engine, as in a machine image baked with Packer, so that the run measures enrollment)
// Exits 1 unless every machine enrolled and exactly one token is left.
import { parseArgs } from "node:util";
import { tallyFleet, startFleet, upEverywhere, type Fleet, type MachineUp } from "../test/support/fleet.js";
import { abortOnInterrupt } from "../test/support/interrupt.js";
import { startSimulator, type ApiKey, type Simulator } from "../test/support/simulator/index.js";
import { startTestbed, type Testbed } from "../test/support/testbed/testbed.js";
import { phaseBreakdown } from "./fleet-phases.js";
import { table } from "./measure.js";

const { values } = parseArgs({
  options: {
    machines: { type: "string", default: "50" },
    concurrency: { type: "string", default: "4" },
    pull: { type: "boolean", default: false },
  },
});
const machines = positive("--machines", values.machines);
const concurrency = positive("--concurrency", values.concurrency);
const PROJECT = "1a5";
const UP_TIMEOUT_MS = 15 * 60_000;

function positive(flag: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    console.error(`${flag} must be a positive integer, not ${value}`);
    process.exit(2);
  }
  return number;
}

const began = Date.now();
const elapsed = (since = began) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const progress = (line: string) => console.error(`[${elapsed()}] ${line}`);

async function run(signal: AbortSignal, stopLater: (stop: () => Promise<void>) => void): Promise<boolean> {
  progress("starting the test bed (registry and the fake agent image)");
  const testbed: Testbed = await startTestbed();
  stopLater(testbed.stop);
  progress(`starting ${machines} machines (private Docker engines), ${concurrency} at a time`);
  const fleet: Fleet = await startFleet({
    size: machines,
    concurrency,
    signal,
    ...(values.pull ? {} : { preloadImage: testbed.registryAgentImage }),
    onProgress: (ready, total) => progress(`machines ready: ${ready}/${total}`),
  });
  stopLater(fleet.stop);
  const simulator = await startSimulator({ host: testbed.bridgeIp, agentImage: testbed.registryAgentImage });
  stopLater(simulator.close);
  // One environment key per machine, all of the same environment: the server treats them alike, and they let
  // each request be told to the machine and the phase of `up` that sent it.
  const keys = fleet.machines.map(() => simulator.addEnvironmentKey(PROJECT));

  progress(`${machines} × rancher-enroll up, all at once`);
  const started = Date.now();
  let finished = 0;
  const ups = await upEverywhere(fleet.machines, {
    env: ({ index }) => serverEnv(simulator, keys[index]!),
    timeoutMs: UP_TIMEOUT_MS,
    signal,
    onExit: ({ machine, run }) => {
      finished += 1;
      const outcome = run.code === 0 ? "enrolled" : run.code === null ? "killed" : `exit ${run.code}`;
      progress(`up ${finished}/${machines} done (machine ${machine.index}: ${outcome}, ${elapsed(started)})`);
    },
  });
  signal.throwIfAborted();
  return report(simulator, keys, ups, started);
}

function serverEnv(simulator: Simulator, key: ApiKey): Record<string, string> {
  return { RANCHER_URL: simulator.url, RANCHER_ACCESS_KEY: key.accessKey, RANCHER_SECRET_KEY: key.secretKey };
}

function report(simulator: Simulator, keys: ApiKey[], ups: MachineUp[], started: number): boolean {
  const tally = tallyFleet(simulator, PROJECT, ups);
  const failed = ups.filter(({ run }) => run.code !== 0);
  for (const { machine, run } of failed.slice(0, 3))
    console.error(
      `machine ${machine.index} exited ${run.code}:\n${run.stderr.trim().split("\n").slice(-8).join("\n")}`,
    );
  const perHost = (count: number) => (tally.enrolled ? (count / tally.enrolled).toFixed(1) : "-");
  const wallMs = Math.max(...ups.map((up) => up.endedAt)) - started;
  const phases = phaseBreakdown(simulator, keys, ups);
  const image = values.pull ? "pulled by each up from the test registry" : "preloaded in every engine";
  console.log(`\nFleet: ${machines} machines booting together, one environment without a token`);
  console.log(`(simulator with its default timings; agent image ${image})\n`);
  console.log(
    table(
      ["", "value"],
      [
        ["machines enrolled", `${tally.enrolled}/${machines}`],
        ["tokens created (POSTs)", String(tally.tokensCreated)],
        ["tokens left", String(tally.tokensLeft)],
        ["API requests (agents' /_sim/ pings excluded)", String(tally.apiRequests)],
        ["requests per enrolled host", perHost(tally.apiRequests)],
        ["wall time (all up at once, to the last exit)", `${(wallMs / 1000).toFixed(1)} s`],
      ],
    ),
  );
  console.log(
    `\nBy phase of up (requests by the phase they arrived in; time: median and max over machines)\n`,
  );
  console.log(
    table(
      ["phase", "requests", "per host", "median s", "max s"],
      phases.map((row) => [
        row.phase,
        String(row.requests),
        perHost(row.requests),
        row.seconds ? row.seconds.median.toFixed(1) : "",
        row.seconds ? row.seconds.max.toFixed(1) : "",
      ]),
    ),
  );
  const ok = tally.enrolled === machines && tally.tokensLeft === 1;
  console.log(
    `\n${ok ? "OK" : "FAILED"}: ${tally.enrolled}/${machines} enrolled, ${tally.tokensLeft} token(s) left`,
  );
  return ok;
}

const interrupt = abortOnInterrupt();
const stops: Array<() => Promise<void>> = [];
let ok = false;
try {
  ok = await run(interrupt.signal, (stop) => stops.push(stop));
} catch (error) {
  console.error(`bench:fleet: ${(error as Error).message}`);
} finally {
  progress("stopping the simulator, the machines and the test bed");
  for (const stop of stops.reverse())
    await stop().catch((error: Error) => console.error(`stop failed: ${error.message}`));
  interrupt.release();
}
process.exitCode = interrupt.exitCode() ?? (ok ? 0 : 1);
