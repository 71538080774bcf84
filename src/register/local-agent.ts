import { rm } from "node:fs/promises";
import type { CaCertificate } from "../config/ca-cert.js";
import type { Deadline } from "../deadline.js";
import { containersLabelled, recentOutput, removeContainers, removeVolumes } from "../docker/containers.js";
import type { Docker } from "../docker/engine.js";
import { hasImage, localImagesNamed } from "../docker/image.js";
import { runToCompletion } from "../docker/one-shot.js";
import { EnrollError } from "../errors.js";
import type { Logger } from "../log.js";
import { BOOTSTRAP_LABEL } from "./bootstrap-spec.js";

/** The containers and volumes the 1.x agent leaves on a machine, and where it keeps the machine's identity. */
export const AGENT_CONTAINER = "rancher-agent";
const AGENT_CONTAINERS = [AGENT_CONTAINER, "rancher-agent-upgrade"];
const AGENT_VOLUMES = ["rancher-agent-state", "rancher-cni"];
const AGENT_STATE_DIR = "/var/lib/rancher/state";
const AGENT_IMAGE_NAMES = ["rancher/agent", "*/rancher/agent"];
const RANCHER_DIR_BIND = "/var/lib/rancher:/var/lib/rancher";
/** Where the 1.x agent looks for a private CA: once there, its curl, Python and Go code all trust it. */
export const AGENT_CA_FILE = "/var/lib/rancher/etc/ssl/ca.crt";

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
      binds: [RANCHER_DIR_BIND],
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

/**
 * Gives the agent the CA we verify the server with (the agent has no insecure mode), before it starts: placed
 * through the engine's archive API (never in a command's arguments) as the agent's bind mount sees /var/lib/rancher,
 * then renamed over the old one by a container of the agent's image, so that it is replaced whole.
 */
export async function installAgentCa(
  docker: Docker,
  image: string,
  ca: CaCertificate,
  deadline: Deadline,
  log: Logger,
): Promise<void> {
  const spec = {
    image,
    files: [{ path: `${AGENT_CA_FILE}.new`, content: ca.pem, mode: 0o644 }],
    entrypoint: ["mv", "-f", `${AGENT_CA_FILE}.new`, AGENT_CA_FILE],
    cmd: [],
    env: [],
    binds: [RANCHER_DIR_BIND],
    privileged: false,
    labels: { [BOOTSTRAP_LABEL]: "install-ca" },
  };
  const run = await runToCompletion(docker, spec, deadline, (line) =>
    log.debug({ line }, "install-ca output"),
  );
  if (run.exitCode !== 0) {
    throw new EnrollError(
      "docker",
      `cannot write ${AGENT_CA_FILE} for the agent (exit code ${run.exitCode}): ${run.output.join(" ").trim()}`,
      "The agent needs the CA there to trust the server: check that the engine's /var/lib/rancher is writable.",
    );
  }
  log.info(
    { file: AGENT_CA_FILE, subject: ca.subject },
    `installed the CA ${ca.subject} for the agent at ${AGENT_CA_FILE}`,
  );
}
