import { inspectContainer } from "../docker/containers.js";
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
