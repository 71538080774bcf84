import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, beforeEach } from "node:test";
import { TestCertificates, type Certificate } from "./certificates.js";
import { runCli, startCli, type CliRun } from "./cli.js";
import { e2e } from "./e2e.js";
import {
  caChecksum,
  startV3Simulator,
  type ClusterSpec,
  type V3Cluster,
  type V3Simulator,
  type V3SimulatorOptions,
} from "./simulator/v3/index.js";
import type { RequestLogEntry } from "./simulator/types.js";
import { docker, resetEngine, tryDocker } from "./testbed/engine.js";
import type { TestbedInfo } from "./testbed/testbed.js";

export { e2e };

/** Short Rancher 2.x timings, so that a node goes from registering to active in well under a second. */
export const FAST_V3_TIMINGS = {
  tokenCommandMs: 200,
  nodeInitializingMs: 100,
  clusterProvisioningMs: 400,
  nodeRegisteringMs: 300,
  nodeRemovingMs: 200,
};

/** The agent container `up` starts. */
export const AGENT = "rancher-enroll-agent";

export interface V3World {
  readonly testbed: TestbedInfo;
  readonly simulator: V3Simulator;
  readonly stateDir: string;
  /** A new RKE1 cluster for one test (one simulator serves the whole file). */
  cluster(spec?: Partial<ClusterSpec>): V3Cluster;
  /** What a user's script would have: the engine, the server and its API token, our state folder. */
  env(overrides?: Record<string, string>): Record<string, string>;
  cli(args: string[], overrides?: Record<string, string>): Promise<CliRun>;
  startCli(args: string[], overrides?: Record<string, string>): ReturnType<typeof startCli>;
  /** The simulator's API requests of one method and path since the test began (the agent's tunnel left out). */
  requests(method: string, path?: RegExp): V3Simulator["requests"];
  /** Ids (12 hex) of the engine's containers, running or not. */
  containers(): Promise<string[]>;
  agentLogs(): Promise<string>;
}

let clusters = 0;

/**
 * Hooks for a 2.x e2e suite: one v3 simulator for the file (on the engine's bridge, handing out the test bed's
 * registry copy of the fake rancher/rancher-agent, so that the first pull is a real one); per test a clean engine
 * and an empty state folder.
 */
export function useV3World(
  options: V3SimulatorOptions | ((testbed: TestbedInfo) => V3SimulatorOptions) = {},
): V3World {
  let testbed: TestbedInfo;
  let simulator: V3Simulator | undefined;
  let stateDir = "";
  let since = 0;
  const world: V3World = {
    get testbed() {
      return testbed;
    },
    get simulator() {
      if (!simulator) throw new Error("no simulator running");
      return simulator;
    },
    get stateDir() {
      return stateDir;
    },
    cluster: (spec = {}) => world.simulator.addCluster({ name: `e2e-${(clusters += 1)}`, ...spec }),
    env: (overrides = {}) => ({
      DOCKER_HOST: testbed.dockerHost,
      RANCHER_ENROLL_STATE_DIR: stateDir,
      RANCHER_URL: world.simulator.url,
      RANCHER_TOKEN: world.simulator.adminToken.bearer,
      ...overrides,
    }),
    cli: (args, overrides) => runCli(args, world.env(overrides)),
    startCli: (args, overrides) => startCli(args, world.env(overrides)),
    requests: (method, path = /./) =>
      world.simulator.requests
        .slice(since)
        .filter(
          (r: RequestLogEntry) =>
            r.method === method && path.test(r.path) && !/^\/(_sim|v3\/connect)/.test(r.path),
        ),
    containers: async () => (await docker(testbed, ["ps", "--all", "--quiet"])).split("\n").filter(Boolean),
    agentLogs: async () => {
      const { stdout, stderr } = await tryDocker(testbed, ["logs", AGENT]);
      return stdout + stderr;
    },
  };
  before(async () => {
    testbed = e2e.testbed();
    simulator = await startV3Simulator({
      host: testbed.bridgeIp,
      agentImage: testbed.registryRancher2AgentImage,
      timings: FAST_V3_TIMINGS,
      ...(typeof options === "function" ? options(testbed) : options),
    });
  });
  beforeEach(async () => {
    world.simulator.faults.reset();
    await resetEngine(testbed);
    stateDir = await mkdtemp(join(tmpdir(), "rancher-enroll-state-"));
    since = world.simulator.requests.length;
  });
  afterEach(() => rm(stateDir, { recursive: true, force: true }));
  after(async () => {
    await simulator?.close();
    await resetEngine(testbed);
  });
  return world;
}

/**
 * A 2.x suite's world whose server has a certificate from a private CA (its cacerts setting is that CA), as a
 * self-managed Rancher often has (with `options` for the rest): `checksum` is what the cluster's registration command
 * pins.
 */
export function usePrivateCaV3World(options: V3SimulatorOptions = {}): {
  world: V3World;
  pki: TestCertificates;
  authority: Certificate;
  checksum: string;
} {
  const pki = new TestCertificates();
  const authority = pki.authority("rancher private ca");
  const world = useV3World((testbed) => {
    const server = pki.server({ commonName: "rancher.test", ips: [testbed.bridgeIp] }, authority);
    return { ...options, tls: { key: server.key, cert: server.cert }, cacerts: authority.cert };
  });
  after(() => pki.remove());
  return { world, pki, authority, checksum: caChecksum(authority.cert) };
}
