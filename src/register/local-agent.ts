import { rm } from "node:fs/promises";
import type { Deadline } from "../deadline.js";
import { containersLabelled, recentOutput, removeContainers, removeVolumes } from "../docker/containers.js";
import type { Docker } from "../docker/engine.js";
import { hasImage, localImagesNamed } from "../docker/image.js";
import { runToCompletion } from "../docker/one-shot.js";
import type { Logger } from "../log.js";
import { BOOTSTRAP_LABEL } from "./bootstrap-spec.js";

/** The containers and volumes the 1.x agent leaves on a machine, and where it keeps the machine's identity. */
export const AGENT_CONTAINER = "rancher-agent";
const AGENT_CONTAINERS = [AGENT_CONTAINER, "rancher-agent-upgrade"];
const AGENT_VOLUMES = ["rancher-agent-state", "rancher-cni"];
const AGENT_STATE_DIR = "/var/lib/rancher/state";
const AGENT_IMAGE_NAMES = ["rancher/agent", "*/rancher/agent"];

/** The agent says what the real one says when Rancher no longer knows its credentials. */
export async function agentAsksToReRegister(docker: Docker): Promise<boolean> {
  return /re-register this agent/.test(await recentOutput(docker, AGENT_CONTAINER, 20));
}

/** Bootstrap containers of an earlier run that was killed before it could remove them. */
export async function removeLeftoverBootstraps(docker: Docker, log: Logger): Promise<void> {
  const leftovers = await containersLabelled(docker, BOOTSTRAP_LABEL, "bootstrap");
  if (leftovers.length)
    log.info({ containers: leftovers }, "removing bootstrap containers left by an interrupted run");
  await removeContainers(docker, leftovers);
}

/** Stops the agent for good: its containers, and any bootstrap container still around. */
export async function removeAgentContainers(docker: Docker, log: Logger): Promise<string[]> {
  await removeLeftoverBootstraps(docker, log);
  return removeContainers(docker, AGENT_CONTAINERS);
}

/**
 * Forgets the machine's identity, so that the next enrollment makes a new host: the agent's volumes and its state
 * folder. The folder is removed through the engine, as the agent's bind mount sees it, with the agent's image
 * (the bind mount's source is a path on the engine's machine, which need not be ours).
 */
export async function purgeAgentIdentity(
  docker: Docker,
  images: string[],
  deadline: Deadline,
  log: Logger,
): Promise<string[]> {
  const purged = await removeVolumes(docker, AGENT_VOLUMES);
  const image =
    (await firstPresent(docker, images)) ?? (await localImagesNamed(docker, AGENT_IMAGE_NAMES))[0];
  if (image) {
    const spec = {
      image,
      entrypoint: ["rm", "-rf", AGENT_STATE_DIR],
      cmd: [],
      env: [],
      binds: ["/var/lib/rancher:/var/lib/rancher"],
      privileged: false,
      labels: {},
    };
    await runToCompletion(docker, spec, deadline, (line) => log.debug({ line }, "purge output"));
  } else {
    await rm(AGENT_STATE_DIR, { recursive: true, force: true });
  }
  return [...purged, AGENT_STATE_DIR];
}

async function firstPresent(docker: Docker, images: string[]): Promise<string | undefined> {
  for (const image of images) if (await hasImage(docker, image)) return image;
  return undefined;
}
