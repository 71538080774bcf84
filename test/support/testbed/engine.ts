import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
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
  const entries = await readdir(engine.rancherDir);
  await Promise.all(
    entries.map((entry) => rm(join(engine.rancherDir, entry), { recursive: true, force: true })),
  );
}
