// Start-up and footprint of rancher-enroll, side by side in one run: `node -e 0` (the floor), the npm-installed
// CLI and the single executable, for `--version` and `--help`; then `up` against the Rancher 1.6 simulator and
// the Docker test bed, fresh and already enrolled, with each CLI.
// Usage: npm run bench (bench/run.sh builds both CLIs first). BENCH_RUNS: start-up runs per case (default 40).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { pathWithoutNode } from "../test/support/path-without-node.js";
import { startSimulator, type Simulator } from "../test/support/simulator/index.js";
import { resetEngine, tryDocker } from "../test/support/testbed/engine.js";
import { startTestbed, type Testbed } from "../test/support/testbed/testbed.js";
import { measure, median, removeScratch, table, type Run } from "./measure.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const RSS_RUNS = 5;
const ENROLLED_RUNS = 3;
const TARGETS = { startupRatio: 1.3, enrolledRequests: 3, upPeakRssMb: 80 };

const root = join(import.meta.dirname, "..");
const run = promisify(execFile);
const { version } = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { version: string };

interface Cli {
  name: string;
  command: string[];
  /** PATH for it: the single executable's has no node. */
  path: string;
}

interface StartupCase {
  label: string;
  cli: Cli;
  args: string[];
  check: (run: Run) => boolean;
}

/** `npm pack` then `npm install --global` into a scratch prefix: the CLI as a user with Node.js gets it. */
async function installNpmPackage(prefix: string): Promise<string> {
  const { stdout } = await run("npm", ["pack", "--silent", "--pack-destination", prefix], { cwd: root });
  const tarball = join(prefix, stdout.trim().split("\n").pop()!);
  await run("npm", ["install", "--global", "--prefix", prefix, "--no-audit", "--no-fund", tarball]);
  return join(prefix, "bin/rancher-enroll");
}

async function startup(cases: StartupCase[], env: Record<string, string | undefined>) {
  const times = cases.map(() => [] as number[]);
  const rss = cases.map(() => [] as number[]);
  const once = async (index: number, withRss: boolean) => {
    const { cli, args, check, label } = cases[index]!;
    const result = await measure([...cli.command, ...args], {
      env: { ...env, PATH: cli.path },
      rss: withRss,
    });
    if (result.code !== 0 || !check(result))
      throw new Error(`${label} (${cli.name}) failed: code ${result.code}\n${result.stdout}${result.stderr}`);
    return result;
  };
  for (let index = 0; index < cases.length; index++) await once(index, false); // warm the page cache
  // Interleaved, so that a busy moment of the machine falls on every case alike.
  for (let round = 0; round < RUNS; round++)
    for (let index = 0; index < cases.length; index++) times[index]!.push((await once(index, false)).wallMs);
  for (let round = 0; round < RSS_RUNS; round++)
    for (let index = 0; index < cases.length; index++) rss[index]!.push((await once(index, true)).peakRssMb!);
  return cases.map((entry, index) => ({
    ...entry,
    wallMs: median(times[index]!),
    peakRssMb: median(rss[index]!),
  }));
}

interface UpRun {
  wallMs: number;
  peakRssMb: number;
  /** Requests that reached the server with our API key (the agent's own are not ours). */
  requests: number;
  result: { kind?: string; changed?: boolean; apiRequests?: number };
}

async function upOnce(cli: Cli, env: Record<string, string>, simulator: Simulator): Promise<UpRun> {
  const before = simulator.requests.length;
  const result = await measure([...cli.command, "up", "--environment", "Default", "--output", "json"], {
    env: { ...env, PATH: cli.path },
    rss: true,
  });
  if (result.code !== 0) throw new Error(`up (${cli.name}) exited ${result.code}:\n${result.stderr}`);
  const ours = simulator.requests
    .slice(before)
    .filter((request) => request.accessKey === simulator.environmentKey.accessKey);
  return {
    wallMs: result.wallMs,
    peakRssMb: result.peakRssMb!,
    requests: ours.length,
    result: JSON.parse(result.stdout) as UpRun["result"],
  };
}

/** Per CLI: a clean engine without the agent image, a new simulator and state; `up`, then `up` again. */
async function upScenarios(testbed: Testbed, clis: Cli[]) {
  const rows: Array<{ cli: Cli; scenario: string; runs: UpRun[] }> = [];
  for (const cli of clis) {
    await resetEngine(testbed);
    await tryDocker(testbed, ["rmi", "--force", testbed.registryAgentImage]);
    const home = await mkdtemp(join(tmpdir(), "rancher-enroll-bench-home-"));
    const simulator = await startSimulator({
      host: testbed.bridgeIp,
      agentImage: testbed.registryAgentImage,
    });
    try {
      const env = {
        HOME: home,
        RANCHER_ENROLL_STATE_DIR: join(home, "state"),
        DOCKER_HOST: testbed.dockerHost,
        RANCHER_URL: simulator.url,
        RANCHER_ACCESS_KEY: simulator.environmentKey.accessKey,
        RANCHER_SECRET_KEY: simulator.environmentKey.secretKey,
      };
      rows.push({ cli, scenario: "fresh", runs: [await upOnce(cli, env, simulator)] });
      const enrolled: UpRun[] = [];
      for (let round = 0; round < ENROLLED_RUNS; round++) enrolled.push(await upOnce(cli, env, simulator));
      rows.push({ cli, scenario: "already enrolled", runs: enrolled });
    } finally {
      await simulator.close();
      await rm(home, { recursive: true, force: true });
    }
  }
  await resetEngine(testbed);
  return rows;
}

const prefix = await mkdtemp(join(tmpdir(), "rancher-enroll-npm-"));
const testbed = await startTestbed();
try {
  const nodePath = `${dirname(process.execPath)}:/usr/bin:/bin`;
  const floor: Cli = { name: "node -e 0 (floor)", command: [process.execPath, "-e", "0"], path: nodePath };
  const npm: Cli = { name: "npm-installed CLI", command: [await installNpmPackage(prefix)], path: nodePath };
  const sea: Cli = {
    name: "single executable",
    command: [join(root, "dist-sea/rancher-enroll")],
    path: pathWithoutNode(),
  };
  const printsVersion = (run: Run) => run.stdout.startsWith(`${version} (commit `);
  const printsHelp = (run: Run) => run.stdout.startsWith("Usage: rancher-enroll");
  const cases: StartupCase[] = [
    { label: "", cli: floor, args: [], check: () => true },
    ...[npm, sea].map((cli) => ({ label: "--version", cli, args: ["--version"], check: printsVersion })),
    ...[npm, sea].map((cli) => ({ label: "--help", cli, args: ["--help"], check: printsHelp })),
  ];
  const startupRows = await startup(cases, { HOME: process.env.HOME });
  const floorMs = startupRows[0]!.wallMs;
  console.log(
    `\nStart-up: median wall time of ${RUNS} runs, median peak RSS of ${RSS_RUNS} (stdout a pipe)\n`,
  );
  console.log(
    table(
      ["command", "variant", "wall ms", "x floor", "peak RSS MB"],
      startupRows.map((row) => [
        row.label || "-",
        row.cli.name,
        row.wallMs.toFixed(1),
        `${(row.wallMs / floorMs).toFixed(2)}x`,
        row.peakRssMb.toFixed(1),
      ]),
    ),
  );

  const upRows = await upScenarios(testbed, [npm, sea]);
  console.log(
    `\nup against the simulator (default timings): fresh = agent image pulled from the test registry;`,
  );
  console.log(`already enrolled = the same machine again (median of ${ENROLLED_RUNS})\n`);
  console.log(
    table(
      ["variant", "scenario", "wall s", "API requests", "reported", "peak RSS MB", "result"],
      upRows.map(({ cli, scenario, runs }) => {
        const last = runs.at(-1)!;
        return [
          cli.name,
          scenario,
          (median(runs.map((r) => r.wallMs)) / 1000).toFixed(2),
          String(median(runs.map((r) => r.requests))),
          String(last.result.apiRequests ?? "-"),
          Math.max(...runs.map((r) => r.peakRssMb)).toFixed(1),
          `${last.result.kind ?? "?"}, changed: ${String(last.result.changed)}`,
        ];
      }),
    ),
  );

  const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
  console.log(`\nTargets`);
  for (const row of startupRows.filter((row) => row.label)) {
    const ratio = row.wallMs / floorMs;
    console.log(
      `  ${row.cli.name} ${row.label} within ${TARGETS.startupRatio}x of node -e 0: ` +
        `${ratio.toFixed(2)}x, ${verdict(ratio <= TARGETS.startupRatio)}`,
    );
  }
  const upWorst = (cli: Cli, scenario: string | undefined, value: (run: UpRun) => number) =>
    Math.max(
      ...upRows
        .filter((row) => row.cli === cli && (!scenario || row.scenario === scenario))
        .flatMap((row) => row.runs.map(value)),
    );
  for (const cli of [sea, npm]) {
    const requests = upWorst(cli, "already enrolled", (run) => run.requests);
    const rss = upWorst(cli, undefined, (run) => run.peakRssMb);
    console.log(
      `  ${cli.name}: already-enrolled up in at most ${TARGETS.enrolledRequests} API requests: ${requests}, ` +
        `${verdict(requests <= TARGETS.enrolledRequests)}; peak RSS of up under ${TARGETS.upPeakRssMb} MB: ` +
        `${rss.toFixed(1)} MB, ${verdict(rss < TARGETS.upPeakRssMb)}`,
    );
  }
} finally {
  await testbed.stop();
  await rm(prefix, { recursive: true, force: true });
  await removeScratch();
}
