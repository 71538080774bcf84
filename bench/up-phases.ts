// Where a fresh `up` spends its time, phase by phase, on each server line: the simulator with its default timings,
// the Docker test bed with the agent image already there (as on a machine image baked with Packer), a new state
// folder each run. For each phase: its wall time, the part spent waiting on the server, the engine or the agent,
// and the rest, our own time. Waiting on others is: from our token creation request until the server shows the
// token usable; from the engine's creation of the agent's first container until the server shows our member
// ready; and the whole life of every container that ran and was removed meanwhile (1.6's bootstrap container).
// The phases come from up's JSON log (a line as each begins). Each phase's requests are those the simulator logged
// with up's credential, given to the phase they arrived in (the agent's own requests are not counted).
// Usage: npm run bench:phases -- [--runs N] [--line cattle|v3]... [--baseline EXECUTABLE]
//   --runs N               fresh runs per scenario and CLI (default 5); the tables show medians
//   --line                 the server lines to measure (default both)
//   --baseline EXECUTABLE  another build of the CLI (e.g. a script running an older dist/cli.js), run in turn
//                          with this one so that the machine's load falls on both alike; its own time is shown
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { CLI_PATH } from "../test/support/cli.js";
import { startSimulator } from "../test/support/simulator/index.js";
import type { RequestLogEntry } from "../test/support/simulator/types.js";
import { startV3Simulator } from "../test/support/simulator/v3/index.js";
import { docker, resetEngine } from "../test/support/testbed/engine.js";
import { startTestbed, type Testbed } from "../test/support/testbed/testbed.js";
import { phaseSpans } from "./fleet-phases.js";
import { measure, median, removeScratch, table, type Run } from "./measure.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    line: { type: "string", multiple: true, default: ["cattle", "v3"] },
    baseline: { type: "string" },
  },
});
const RUNS = Number(values.runs);
const OBSERVE_MS = 5;
const PROJECT = "1a5";

interface Cli {
  name: string;
  command: string[];
}

/** One scenario's server, ready for one `up`: how to run it, and when the server had done its part. */
interface Stage {
  env: Record<string, string>;
  args: string[];
  /** The credential up sends (its public half, as the simulator logs it). */
  accessKey: string;
  /** Epoch ms of the token creation request, if up made one. */
  tokenRequestedAt(): number | undefined;
  /** The server's token is usable (1.6: active; 2.6+: its node command written). */
  tokenReady(): boolean;
  /** The simulator's request log, live. */
  requests: readonly RequestLogEntry[];
  /** The server shows a member ready, as up means it. */
  memberReady(): boolean;
  close(): Promise<void>;
}

interface Scenario {
  line: "cattle" | "v3";
  name: string;
  agentImage(testbed: Testbed): string;
  stage(testbed: Testbed): Promise<Stage>;
}

const isPost = (path: RegExp) => (request: { method: string; path: string }) =>
  request.method === "POST" && path.test(request.path);

const cattle: Scenario = {
  line: "cattle",
  name: "1.6, environment without a token",
  agentImage: (testbed) => testbed.registryAgentImage,
  async stage(testbed) {
    const simulator = await startSimulator({
      host: testbed.bridgeIp,
      agentImage: testbed.registryAgentImage,
    });
    return {
      env: {
        RANCHER_URL: simulator.url,
        RANCHER_ACCESS_KEY: simulator.environmentKey.accessKey,
        RANCHER_SECRET_KEY: simulator.environmentKey.secretKey,
      },
      args: [],
      accessKey: simulator.environmentKey.accessKey,
      requests: simulator.requests,
      tokenRequestedAt: () => simulator.requests.find(isPost(/registrationtokens$/))?.time,
      tokenReady: () => simulator.tokens(PROJECT).some((token) => token.state === "active"),
      memberReady: () => simulator.hosts(PROJECT).some((host) => host.state === "active"),
      close: () => simulator.close(),
    };
  },
};

function v3(name: string, roles: string[], active: boolean): Scenario {
  return {
    line: "v3",
    name,
    agentImage: (testbed) => testbed.registryRancher2AgentImage,
    async stage(testbed) {
      const simulator = await startV3Simulator({
        host: testbed.bridgeIp,
        agentImage: testbed.registryRancher2AgentImage,
        clusters: [{ name: "bench", active, defaultToken: active }],
      });
      const { id } = simulator.cluster("bench");
      const holds = (type: string) => (node: { conditions: Array<{ type: string; status: string }> }) =>
        node.conditions.some((condition) => condition.type === type && condition.status === "True");
      return {
        env: { RANCHER_URL: simulator.url, RANCHER_TOKEN: simulator.adminToken.bearer },
        args: [
          "--cluster",
          "bench",
          "--node-name",
          "bench-node",
          ...roles.flatMap((role) => ["--role", role]),
        ],
        accessKey: simulator.adminToken.accessKey,
        requests: simulator.requests,
        tokenRequestedAt: () => simulator.requests.find(isPost(/clusterregistrationtokens$/))?.time,
        tokenReady: () => simulator.registrationTokens(id).some((token) => token.commandsReady),
        memberReady: () =>
          simulator.nodes(id).some((node) => holds("Registered")(node) && holds("Ready")(node)),
        close: () => simulator.close(),
      };
    },
  };
}

const SCENARIOS: Scenario[] = [
  cattle,
  v3("2.x, worker joining an active cluster", ["worker"], true),
  v3("2.x, all roles, new cluster without a token", ["etcd", "controlplane", "worker"], false),
];

/** The first moment (epoch ms) each condition held, looked at every few milliseconds. */
function watch(conditions: Record<string, () => boolean>) {
  const seen: Record<string, number> = {};
  const timer = setInterval(() => {
    for (const [name, holds] of Object.entries(conditions))
      if (!(name in seen) && holds()) seen[name] = Date.now();
  }, OBSERVE_MS);
  return { seen, stop: () => clearInterval(timer) };
}

type Interval = [number, number];

/**
 * The engine's and the agent's time in [from, to]: from the creation of the first container until the member is
 * ready, and created to destroyed for each container removed meanwhile. The creation is where the engine's work
 * begins: the test bed's engine takes a while to start a privileged container (its runtime wrapper).
 */
async function agentIntervals(testbed: Testbed, from: number, to: number, memberReadyAt?: number) {
  const lines = await docker(testbed, [
    "events",
    `--since=${(from / 1000).toFixed(3)}`,
    `--until=${(to / 1000 + 1).toFixed(3)}`,
    "--filter=type=container",
    "--filter=event=create",
    "--filter=event=destroy",
    "--format={{.TimeNano}} {{.Action}} {{.Actor.ID}}",
  ]);
  const created = new Map<string, number>();
  const intervals: Interval[] = [];
  for (const line of lines.split("\n").filter(Boolean)) {
    const [nanos = "0", action, id = ""] = line.split(" ");
    const at = Number(BigInt(nanos) / 1_000_000n);
    if (action === "create") created.set(id, at);
    else if (created.has(id)) intervals.push([created.get(id)!, at]);
  }
  if (created.size && memberReadyAt !== undefined)
    intervals.push([Math.min(...created.values()), memberReadyAt]);
  return intervals;
}

/** How much of [from, to] the union of the intervals covers. */
function covered(from: number, to: number, intervals: Interval[]): number {
  let sum = 0;
  let reached = from;
  for (const [a, b] of [...intervals].sort((x, y) => x[0] - y[0])) {
    const end = Math.min(b, to);
    sum += Math.max(0, end - Math.max(a, reached));
    reached = Math.max(reached, end);
  }
  return sum;
}

interface PhaseTime {
  wallMs: number;
  othersMs: number;
  requests: number;
}

type Breakdown = Map<string, PhaseTime>;

async function upOnce(testbed: Testbed, scenario: Scenario, cli: Cli): Promise<Breakdown> {
  await resetEngine(testbed);
  await docker(testbed, ["pull", "--quiet", scenario.agentImage(testbed)]);
  const stage = await scenario.stage(testbed);
  const stateDir = await mkdtemp(join(tmpdir(), "rancher-enroll-bench-state-"));
  const watched = watch({ token: stage.tokenReady, member: stage.memberReady });
  try {
    const args = ["up", "--output", "json", "--log-format", "json", ...stage.args];
    const env = { ...stage.env, DOCKER_HOST: testbed.dockerHost, RANCHER_ENROLL_STATE_DIR: stateDir };
    const startedAt = Date.now();
    const run: Run = await measure([...cli.command, ...args], { env: { ...env, HOME: stateDir } });
    const endedAt = startedAt + run.wallMs;
    if (run.code !== 0)
      throw new Error(`${scenario.name}, ${cli.name}: up exited ${run.code}\n${run.stderr}`);
    const busy = await agentIntervals(testbed, startedAt, endedAt, watched.seen.member);
    const tokenAt = stage.tokenRequestedAt();
    if (tokenAt !== undefined && watched.seen.token !== undefined) busy.push([tokenAt, watched.seen.token]);
    const spans = phaseSpans({ run, startedAt, endedAt });
    const ours = stage.requests.filter((request) => request.accessKey === stage.accessKey);
    return new Map(
      spans.map((span) => [
        span.phase,
        {
          wallMs: span.to - span.from,
          othersMs: covered(span.from, span.to, busy),
          requests: ours.filter((request) => request.time >= span.from && request.time < span.to).length,
        },
      ]),
    );
  } finally {
    watched.stop();
    await stage.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

const seconds = (ms: number[]) => (median(ms) / 1000).toFixed(2);
const NONE: PhaseTime = { wallMs: 0, othersMs: 0, requests: 0 };

function report(scenario: Scenario, clis: Cli[], runs: Breakdown[][]): void {
  const phases = [...new Set(runs.flat().flatMap((run) => [...run.keys()]))];
  const times = (cli: number, phase: string) => runs[cli]!.map((run) => run.get(phase) ?? NONE);
  const total = (run: Breakdown): PhaseTime =>
    [...run.values()].reduce(
      (sum, p) => ({
        wallMs: sum.wallMs + p.wallMs,
        othersMs: sum.othersMs + p.othersMs,
        requests: sum.requests + p.requests,
      }),
      NONE,
    );
  const row = (label: string, of: (cli: number) => PhaseTime[]) => [
    label,
    seconds(of(0).map((p) => p.wallMs)),
    seconds(of(0).map((p) => p.othersMs)),
    ...clis.map((_, cli) => seconds(of(cli).map((p) => p.wallMs - p.othersMs))),
    ...clis.map((_, cli) => String(median(of(cli).map((p) => p.requests)))),
  ];
  const rows = phases.map((phase) => row(phase, (cli) => times(cli, phase)));
  rows.push(row("total", (cli) => runs[cli]!.map(total)));
  console.log(`\n${scenario.name}: median of ${RUNS} fresh runs, seconds\n`);
  const header = [
    "phase",
    "wall",
    "server+agent",
    ...clis.map((cli) => `own (${cli.name})`),
    ...clis.map((cli) => `requests (${cli.name})`),
  ];
  console.log(table(header, rows));
  for (const [index, cli] of clis.entries()) {
    const owns = runs[index]!.map(total).map((p) => ((p.wallMs - p.othersMs) / 1000).toFixed(2));
    console.log(`own time of each run (${cli.name}): ${owns.join(" ")} s`);
  }
}

const clis: Cli[] = [
  { name: "this build", command: [process.execPath, CLI_PATH] },
  ...(values.baseline ? [{ name: "baseline", command: [values.baseline] }] : []),
];
const testbed = await startTestbed();
try {
  const floor: number[] = [];
  for (let round = 0; round < 5; round++)
    floor.push((await measure([process.execPath, "-e", "0"], { env: {} })).wallMs);
  console.log(`node -e 0 (the floor of start-up): ${seconds(floor)} s`);
  for (const scenario of SCENARIOS.filter((s) => values.line.includes(s.line))) {
    const runs: Breakdown[][] = clis.map(() => []);
    for (let round = 0; round < RUNS; round++)
      for (const [index, cli] of clis.entries()) runs[index]!.push(await upOnce(testbed, scenario, cli));
    report(scenario, clis, runs);
  }
} finally {
  await resetEngine(testbed).catch(() => undefined);
  await testbed.stop();
  await removeScratch();
}
