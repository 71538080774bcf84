import type { Deadline } from "../deadline.js";
import type { Docker } from "../docker/engine.js";
import { hasImage, pullImage, type PullProgress } from "../docker/image.js";
import type { Logger } from "../log.js";
import type { RancherApi, Registration, Target } from "../rancher/api.js";

/** Reuse the environment's active token; create one only when there is none. */
export async function obtainRegistration(
  rancher: RancherApi,
  log: Logger,
  target: Target,
  deadline: Deadline,
) {
  const existing = await rancher.findRegistration(target);
  if (existing) {
    log.info({ token: existing.id }, "reusing the active registration token");
    return { registration: existing as Registration, created: false };
  }
  log.info("the environment has no active registration token: creating one");
  return { registration: await rancher.createRegistration(target, deadline), created: true };
}

/** Exactly the token's image: another spelling would make the agent upgrade itself to the server's. */
export async function ensureAgentImage(
  docker: Docker,
  log: Logger,
  image: string,
  onProgress: (progress: PullProgress) => void,
): Promise<boolean> {
  if (await hasImage(docker, image)) {
    log.info({ image }, "agent image present");
    return false;
  }
  log.info({ image }, "pulling the agent image");
  await pullImage(docker, image, onProgress);
  return true;
}
