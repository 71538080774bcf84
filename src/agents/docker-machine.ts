import { inspectContainer, lastLines } from "../docker/containers.js";
import type { Docker } from "../docker/engine.js";
import type { AgentState } from "../flows/seam.js";
import type { PullProgress } from "../docker/image.js";
import type { Logger } from "../log.js";

/** What an agent that runs as containers needs from this machine: a Docker engine, and how long to wait for it. */
export interface DockerMachine {
  docker: Docker;
  log: Logger;
  waitForDockerSeconds: number;
  onPullProgress: (progress: PullProgress) => void;
}

/** What an agent's long-lived container shows: whether it is there, running, of which image, since when. */
export async function agentState(docker: Docker, name: string): Promise<AgentState> {
  const container = await inspectContainer(docker, name);
  return container
    ? { present: true, running: container.running, image: container.image, startedAt: container.startedAt }
    : { present: false, running: false };
}

/** Restarts after which a container that exits with an error is crash-looping, not starting up. */
const CRASH_LOOP_RESTARTS = 3;

/**
 * What a long-lived container that keeps exiting with an error (its restart policy restarting it again and again)
 * last said; undefined while it is not so.
 */
export async function crashLoop(docker: Docker, name: string): Promise<string | undefined> {
  const container = await inspectContainer(docker, name);
  if (!container || container.restartCount < CRASH_LOOP_RESTARTS || container.exitCode === 0)
    return undefined;
  const said = lastRun(await lastLines(docker, name, 10));
  return (
    `container ${name} keeps exiting (exit code ${container.exitCode}, restarted ${container.restartCount} times); ` +
    `its last lines: ${said.join(" | ") || "none"}`
  );
}

/** The output of a container's runs is one log: each line once, as the last run wrote it. */
function lastRun(lines: readonly string[]): string[] {
  return lines.filter((line, index) => !lines.slice(index + 1).includes(line));
}
