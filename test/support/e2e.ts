import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, beforeEach } from "node:test";
import { runCli, startCli, type CliRun } from "./cli.js";
import { startSimulator, type Simulator, type SimulatorOptions } from "./simulator/index.js";
import { e2eTestbed } from "./testbed/env.js";
import { docker, resetEngine } from "./testbed/engine.js";
import type { TestbedInfo } from "./testbed/testbed.js";

export const e2e = e2eTestbed();

/** Short Rancher timings, so that a whole enrollment takes seconds. */
export const FAST_TIMINGS = {
  tokenActivationMs: 300,
  registerActivationMs: 100,
  hostRegisteringMs: 300,
  hostActivatingMs: 500,
  pingIntervalSeconds: 1,
};

export interface E2eWorld {
  readonly testbed: TestbedInfo;
  readonly simulator: Simulator;
  readonly stateDir: string;
  /** Stops the simulator's server (its address then refuses connections); the next simulate() starts anew. */
  stopSimulator(): Promise<void>;
  /** Replaces the simulator (fresh, no tokens, no hosts) with one made with these options. */
  simulate(options?: SimulatorOptions): Promise<Simulator>;
  /** What a user's script would have: the engine, the server and its environment key, our state folder. */
  env(overrides?: Record<string, string>): Record<string, string>;
  cli(args: string[], overrides?: Record<string, string>): Promise<CliRun>;
  startCli(args: string[], overrides?: Record<string, string>): ReturnType<typeof startCli>;
  /** The simulator's API requests (the fake agent's pings left out) of one method and path. */
  requests(method: string, path?: RegExp): Simulator["requests"];
  /** Ids (12 hex) of the engine's containers, running or not. */
  containers(): Promise<string[]>;
}

/**
 * Hooks for an e2e suite: per test, a clean engine, a fresh simulator listening on the engine's bridge (reached by
 * tests, containers and the host-network agent alike) and an empty state folder for rancher-enroll.
 */
export function useE2eWorld(): E2eWorld {
  let testbed: TestbedInfo;
  let simulator: Simulator | undefined;
  let stateDir = "";
  let running: Simulator | undefined;
  const stop = async () => {
    await running?.close();
    running = undefined;
  };
  const world: E2eWorld = {
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
    stopSimulator: stop,
    async simulate(options = {}) {
      await stop();
      simulator = running = await startSimulator({
        host: testbed.bridgeIp,
        timings: FAST_TIMINGS,
        ...options,
      });
      return simulator;
    },
    env: (overrides = {}) => ({
      DOCKER_HOST: testbed.dockerHost,
      RANCHER_ENROLL_STATE_DIR: stateDir,
      RANCHER_URL: world.simulator.url,
      RANCHER_ACCESS_KEY: world.simulator.environmentKey.accessKey,
      RANCHER_SECRET_KEY: world.simulator.environmentKey.secretKey,
      ...overrides,
    }),
    cli: (args, overrides) => runCli(args, world.env(overrides)),
    startCli: (args, overrides) => startCli(args, world.env(overrides)),
    requests: (method, path = /./) =>
      world.simulator.requests.filter(
        (r) => r.method === method && path.test(r.path) && !r.path.startsWith("/_sim/"),
      ),
    containers: async () => (await docker(testbed, ["ps", "--all", "--quiet"])).split("\n").filter(Boolean),
  };
  before(() => {
    testbed = e2e.testbed();
  });
  beforeEach(async () => {
    await resetEngine(testbed);
    stateDir = await mkdtemp(join(tmpdir(), "rancher-enroll-state-"));
    await world.simulate();
  });
  afterEach(async () => {
    await stop();
    simulator = undefined;
    await rm(stateDir, { recursive: true, force: true });
  });
  after(() => resetEngine(testbed));
  return world;
}
