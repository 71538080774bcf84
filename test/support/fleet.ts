// A fleet booting together: N machines, each a private Docker engine (its own /var/lib/rancher, hence its own agent
// identity) with its own rancher-enroll state, all running `up` at once against one simulated environment.
import type { ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCli, type CliRun } from "./cli.js";
import type { Simulator } from "./simulator/index.js";
import { startEnginePool, type EnginePoolOptions } from "./testbed/engine-pool.js";
import { docker } from "./testbed/engine.js";
import type { PrivateEngine } from "./testbed/private-engine.js";

export interface FleetMachine {
  index: number;
  engine: PrivateEngine;
  /** RANCHER_ENROLL_STATE_DIR: rancher-enroll's own state on this machine. */
  stateDir: string;
  /** Its `--agent-ip`: the machines share this machine's hostname, so their hosts differ by IP only. */
  agentIp: string;
}

export interface Fleet {
  machines: FleetMachine[];
  stop(): Promise<void>;
}

export interface FleetOptions extends Pick<EnginePoolOptions, "onProgress" | "signal"> {
  size: number;
  /** Engines started at once (default 4: starting one is mostly waiting for dockerd). */
  concurrency?: number;
  /** Pulled into every engine beforehand, as if baked into the machine image; otherwise `up` pulls it. */
  preloadImage?: string;
}

/** 10.250.0.1, 10.250.0.2, …: addresses only reported to the simulator, never sent to. */
export function fleetAgentIp(index: number): string {
  return `10.250.${Math.floor(index / 250)}.${(index % 250) + 1}`;
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const { size, concurrency = 4, preloadImage, onProgress, signal } = options;
  const dir = await mkdtemp(join(tmpdir(), "rancher-enroll-fleet-"));
  const removeDir = () => rm(dir, { recursive: true, force: true });
  const pool = await startEnginePool(size, {
    dir,
    concurrency,
    ...(preloadImage && {
      prepare: (engine) => docker(engine, ["pull", "--quiet", preloadImage]).then(() => undefined),
    }),
    ...(onProgress && { onProgress }),
    ...(signal && { signal }),
  }).catch(async (error: unknown) => {
    await removeDir();
    throw error;
  });
  const machines = await Promise.all(
    pool.engines.map(async (engine, index) => {
      const stateDir = join(dir, `state-${index}`);
      await mkdir(stateDir);
      return { index, engine, stateDir, agentIp: fleetAgentIp(index) };
    }),
  );
  return {
    machines,
    stop: async () => {
      try {
        await pool.stop();
      } finally {
        await removeDir();
      }
    },
  };
}

export interface MachineUp {
  machine: FleetMachine;
  run: CliRun;
  /** When its `up` was started and when it exited, epoch ms. */
  startedAt: number;
  endedAt: number;
}

export interface UpEverywhereOptions {
  /** The server, keys and anything else of this machine's environment; the engine and state are added. */
  env: (machine: FleetMachine) => Record<string, string>;
  timeoutMs: number;
  /** Ends every `up` still running (SIGTERM). */
  signal?: AbortSignal;
  onExit?: (up: MachineUp) => void;
}

/** `rancher-enroll up --output json --agent-ip <its IP>` on every machine at the same moment. */
export async function upEverywhere(
  machines: FleetMachine[],
  options: UpEverywhereOptions,
): Promise<MachineUp[]> {
  const { env, timeoutMs, signal, onExit } = options;
  const running = new Set<ChildProcess>();
  const stopAll = () => running.forEach((child) => child.kill("SIGTERM"));
  signal?.addEventListener("abort", stopAll, { once: true });
  try {
    return await Promise.all(
      machines.map(async (machine) => {
        const startedAt = Date.now();
        const { child, done } = startCli(
          ["up", "--output", "json", "--agent-ip", machine.agentIp],
          {
            ...env(machine),
            DOCKER_HOST: machine.engine.dockerHost,
            RANCHER_ENROLL_STATE_DIR: machine.stateDir,
          },
          timeoutMs,
        );
        running.add(child);
        if (signal?.aborted) child.kill("SIGTERM");
        const up = { machine, run: await done, startedAt, endedAt: Date.now() };
        running.delete(child);
        onExit?.(up);
        return up;
      }),
    );
  } finally {
    signal?.removeEventListener("abort", stopAll);
  }
}

/** What the server was left with, and what it took. */
export interface FleetTally {
  /** Machines whose `up` exited 0 naming an active host at its own IP, each host named once. */
  enrolled: number;
  /** Token creation requests (POSTs to registrationtokens). */
  tokensCreated: number;
  /** Tokens neither removed nor purged. */
  tokensLeft: number;
  /** Every request to the simulator but the fake agents' own pings under /_sim/. */
  apiRequests: number;
}

const GONE = new Set(["removed", "purged"]);

export function tallyFleet(simulator: Simulator, projectId: string, ups: MachineUp[]): FleetTally {
  const active = new Map(
    simulator
      .hosts(projectId)
      .filter((host) => host.state === "active" && host.removed === null)
      .map((host) => [host.id, host]),
  );
  const named = new Set(ups.filter(({ run }) => run.code === 0).map((up) => ownHostId(up, active)));
  named.delete(undefined);
  const api = apiRequests(simulator);
  return {
    enrolled: named.size,
    tokensCreated: api.filter((r) => r.method === "POST" && r.path.endsWith("/registrationtokens")).length,
    tokensLeft: simulator.tokens(projectId).filter((token) => !GONE.has(token.state)).length,
    apiRequests: api.length,
  };
}

/** The host id that `up` printed, when that host is active and reported this machine's IP. */
function ownHostId(
  { machine, run }: MachineUp,
  active: ReadonlyMap<string, { agentIpAddress: string }>,
): string | undefined {
  const id = (run.json().host as { id?: string } | undefined)?.id;
  return id && active.get(id)?.agentIpAddress === machine.agentIp ? id : undefined;
}

export function apiRequests(simulator: Simulator): Simulator["requests"] {
  return simulator.requests.filter((request) => !request.path.startsWith("/_sim/"));
}
