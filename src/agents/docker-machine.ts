import type { Docker } from "../docker/engine.js";
import type { PullProgress } from "../docker/image.js";
import type { Logger } from "../log.js";

/** What an agent that runs as containers needs from this machine: a Docker engine, and how long to wait for it. */
export interface DockerMachine {
  docker: Docker;
  log: Logger;
  waitForDockerSeconds: number;
  onPullProgress: (progress: PullProgress) => void;
}
