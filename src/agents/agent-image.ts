import type { Docker } from "../docker/engine.js";
import { hasImage, pullImage, type PullProgress } from "../docker/image.js";
import type { ServerLine } from "../flows/seam.js";
import type { Logger } from "../log.js";

/** The line whose agent an image is, by its repository (any registry, any tag): rancher/rancher-agent is 2.x's. */
export function lineOfAgentImage(image: string): ServerLine | undefined {
  const repository = image.replace(/@.*$/, "").replace(/:[^/:]*$/, "");
  if (/(^|\/)rancher\/rancher-agent$/.test(repository)) return "v3";
  return /(^|\/)rancher\/agent$/.test(repository) ? "cattle" : undefined;
}

/** Exactly the server's image: another spelling would make the agent upgrade itself to the server's. */
export async function ensureImage(
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
