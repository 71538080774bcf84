import { readdir, readFile, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type CommandResult, mustRun, runCommand } from "./command.js";

/** Where the test bed's Docker engine listens, and the host folder its containers see as /var/lib/rancher. */
export interface Engine {
  dockerHost: string;
  rancherDir: string;
}

const engineEnv = (engine: Pick<Engine, "dockerHost">) => ({
  ...process.env,
  DOCKER_HOST: engine.dockerHost,
});

/** Runs the docker CLI against the engine; resolves with its trimmed stdout, rejects on failure. */
export function docker(engine: Pick<Engine, "dockerHost">, args: string[]): Promise<string> {
  return mustRun("docker", args, { env: engineEnv(engine) });
}

/** Runs the docker CLI against the engine and reports the outcome, whatever the exit code. */
export function tryDocker(engine: Pick<Engine, "dockerHost">, args: string[]): Promise<CommandResult> {
  return runCommand("docker", args, { env: engineEnv(engine) });
}

/** Between e2e tests: removes every container and empties the engine's /var/lib/rancher; images stay. */
export async function resetEngine(engine: Engine): Promise<void> {
  const containers = (await docker(engine, ["ps", "--all", "--quiet"])).split("\n").filter(Boolean);
  if (containers.length > 0) await docker(engine, ["rm", "--force", "--volumes", ...containers]);
  await rebindRancherDir(engine);
  const entries = await readdir(engine.rancherDir);
  await Promise.all(
    entries.map((entry) => rm(join(engine.rancherDir, entry), { recursive: true, force: true })),
  );
}

// Run in the private engine's mount namespace: its /var/lib/rancher is the test bed's folder again.
const REBIND =
  'mountpoint -q /var/lib/rancher || { mkdir -p /var/lib/rancher && mount --bind "$1" /var/lib/rancher; }';

/**
 * A 2.x node clean-up (`down --purge`) removes /var/lib/rancher as the engine's containers see it, which detaches
 * the private engine's bind mount of `rancherDir` there: mount it again. Only for the engines dockerd.ts starts
 * (their socket, pid file and machine folder side by side), never an engine we adopted.
 */
async function rebindRancherDir(engine: Engine): Promise<void> {
  const dir = dirname(engine.dockerHost.replace(/^unix:\/\//, ""));
  const isPrivate = await stat(join(dir, "machine")).then(
    (found) => found.isDirectory(),
    () => false,
  );
  const pid = isPrivate ? (await readFile(join(dir, "docker.pid"), "utf8").catch(() => "")).trim() : "";
  if (pid) await mustRun("nsenter", ["-t", pid, "-m", "sh", "-c", REBIND, "sh", engine.rancherDir]);
}
