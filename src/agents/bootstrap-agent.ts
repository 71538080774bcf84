import type { CaCertificate } from "../config/ca-cert.js";
import { SETTINGS } from "../config/setting-table.js";
import type { Deadline } from "../deadline.js";
import {
  containersLabelled,
  recentOutput,
  removeContainers,
  removeVolumes,
  stopContainer,
} from "../docker/containers.js";
import { waitForDaemon, type Docker } from "../docker/engine.js";
import { hasImage, localImagesNamed } from "../docker/image.js";
import { runToCompletion } from "../docker/one-shot.js";
import { EnrollError } from "../errors.js";
import type { AgentPlan, AgentState, Installed, JoinSpec, NodeAgent, NodeOptions } from "../flows/seam.js";
import { maskToken, maskUrlPasswords, type Logger } from "../log.js";
import { explainAgentIp } from "../flows/agent-ip.js";
import { ensureImage } from "./agent-image.js";
import { BOOTSTRAP_LABEL, bootstrapSpec, dockerRunCommand } from "./bootstrap-spec.js";
import { agentState, type DockerMachine } from "./docker-machine.js";
import { localHostnames } from "./hostnames.js";

/**
 * Rancher 1.6's agent: a one-shot bootstrap container, run exactly as the server's "Add Host" command runs it,
 * that starts the long-lived `rancher-agent` container and exits.
 */
export class BootstrapAgent implements NodeAgent {
  readonly line = "cattle";
  readonly name = `the ${AGENT_CONTAINER} container`;
  readonly optionFlags = [SETTINGS.agentIp.flag];
  readonly leavesOnceJoined = false;

  constructor(private readonly machine: DockerMachine) {}

  preflight(deadline: Deadline): Promise<void> {
    const { docker, log, waitForDockerSeconds } = this.machine;
    return waitForDaemon(docker, deadline, waitForDockerSeconds, log);
  }

  /** 1.6 registers the address the server sees our requests come from, unless told one. */
  announceAddress(options: NodeOptions, serverSees: string | undefined): Promise<void> {
    return explainAgentIp(options.address, serverSees, this.machine.log);
  }

  names(): Promise<string[]> {
    return localHostnames();
  }

  async describe(join: JoinSpec, options: NodeOptions): Promise<AgentPlan> {
    const command = dockerRunCommand(bootstrapSpec(join, options, options.env));
    return {
      image: join.image,
      imagePresent: join.image ? await hasImage(this.machine.docker, join.image) : undefined,
      command: maskToken(maskUrlPasswords(command), join.secret),
    };
  }

  async provision(
    join: JoinSpec,
    options: NodeOptions,
    deadline: Deadline,
  ): Promise<{ imagePulled: boolean }> {
    const { docker, log } = this.machine;
    const image = join.image ?? "";
    const imagePulled = await this.prefetch(image);
    if (options.caCert) await installAgentCa(docker, image, options.caCert, deadline, log);
    return { imagePulled };
  }

  prefetch(image: string): Promise<boolean> {
    return ensureImage(this.machine.docker, this.machine.log, image, this.machine.onPullProgress);
  }

  async install(join: JoinSpec, options: NodeOptions, deadline: Deadline): Promise<Installed> {
    await removeLeftoverBootstraps(this.machine.docker, this.machine.log);
    await this.runBootstrap(join, options, deadline);
    return { imagePulled: false };
  }

  inspect(): Promise<AgentState> {
    return agentState(this.machine.docker, AGENT_CONTAINER);
  }

  /** The agent says what the real one says when Rancher no longer knows its credentials. */
  async lostCredentials(): Promise<boolean> {
    return /re-register this agent/.test(await recentOutput(this.machine.docker, AGENT_CONTAINER, 20));
  }

  stop(): Promise<void> {
    return stopContainer(this.machine.docker, AGENT_CONTAINER);
  }

  remove(): Promise<string[]> {
    return removeAgentContainers(this.machine.docker, this.machine.log);
  }

  purge(images: string[], deadline: Deadline): Promise<string[]> {
    return purgeAgentIdentity(this.machine, images, deadline);
  }

  /** The bootstrap container, exactly as the server's command runs it; its non-zero exit is an error. */
  private async runBootstrap(join: JoinSpec, options: NodeOptions, deadline: Deadline): Promise<void> {
    const { docker, log } = this.machine;
    const spec = bootstrapSpec(join, options, options.env);
    const mask = (text: string) => maskToken(text, join.secret);
    log.info(
      { command: mask(maskUrlPasswords(dockerRunCommand(spec))) },
      "starting the agent's bootstrap container",
    );
    const run = await runToCompletion(docker, spec, deadline, (line) =>
      log.debug({ agent: mask(line) }, "bootstrap output"),
    );
    if (run.exitCode !== 0) throw agentFailed(run.exitCode, run.output.map(mask));
    log.info("the agent's bootstrap container finished");
  }
}

function agentFailed(exitCode: number, output: string[]): EnrollError {
  const errors = output.filter((line) => /ERROR:/.test(line));
  const quoted = (errors.length ? errors : output.slice(-5)).map((line) => `  ${line.trim()}`).join("\n");
  return new EnrollError(
    "agent-failed",
    `the agent's bootstrap container exited with code ${exitCode}:\n${quoted}`,
    "The lines above are the agent's own; they usually name the setting to fix (server URL reachability from this machine, agent IP, CA certificate).",
  );
}

/** The containers and volumes the 1.x agent leaves on a machine, and where it keeps the machine's identity. */
const AGENT_CONTAINER = "rancher-agent";
const AGENT_CONTAINERS = [AGENT_CONTAINER, "rancher-agent-upgrade"];
const AGENT_VOLUMES = ["rancher-agent-state", "rancher-cni"];
const AGENT_STATE_DIR = "/var/lib/rancher/state";
const AGENT_IMAGE_NAMES = ["rancher/agent", "*/rancher/agent"];
const RANCHER_DIR_BIND = "/var/lib/rancher:/var/lib/rancher";
/** Where the 1.x agent looks for a private CA: once there, its curl, Python and Go code all trust it. */
const AGENT_CA_FILE = "/var/lib/rancher/etc/ssl/ca.crt";

/** Bootstrap containers of an earlier run that was killed before it could remove them. */
async function removeLeftoverBootstraps(docker: Docker, log: Logger): Promise<void> {
  const leftovers = await containersLabelled(docker, BOOTSTRAP_LABEL, "bootstrap");
  if (leftovers.length)
    log.info({ containers: leftovers }, "removing bootstrap containers left by an interrupted run");
  await removeContainers(docker, leftovers);
}

/** Stops the agent for good: its containers, and any bootstrap container still around. */
async function removeAgentContainers(docker: Docker, log: Logger): Promise<string[]> {
  await removeLeftoverBootstraps(docker, log);
  return removeContainers(docker, AGENT_CONTAINERS);
}

/**
 * Forgets the machine's identity, so that the next enrollment makes a new host: the agent's volumes and its state
 * folder. The folder is removed through the engine, as the agent's bind mount sees it, with the agent's image
 * (the bind mount's source is a path on the engine's machine, which need not be ours: never a folder of this one).
 * Nothing is removed before the image to do it with is there; a clean-up that fails is said, never reported done.
 */
async function purgeAgentIdentity(
  machine: DockerMachine,
  images: string[],
  deadline: Deadline,
): Promise<string[]> {
  const { docker, log } = machine;
  const image =
    (await firstPresent(docker, images)) ??
    (await localImagesNamed(docker, AGENT_IMAGE_NAMES))[0] ??
    images[0];
  if (!image) {
    throw new EnrollError(
      "docker",
      `cannot forget this machine's identity: no rancher/agent image on the engine to remove ${AGENT_STATE_DIR} with; nothing was purged`,
      "Pull the environment's agent image (docker pull rancher/agent:<version>) and run down --purge again.",
    );
  }
  await ensureImage(docker, log, image, machine.onPullProgress);
  const purged = await removeVolumes(docker, AGENT_VOLUMES);
  const spec = {
    image,
    entrypoint: ["rm", "-rf", AGENT_STATE_DIR],
    cmd: [],
    env: [],
    binds: [RANCHER_DIR_BIND],
    privileged: false,
    labels: {},
  };
  const run = await runToCompletion(docker, spec, deadline, (line) => log.debug({ line }, "purge output"));
  if (run.exitCode !== 0) {
    const removed = purged.length ? `; removed: ${purged.join(", ")}` : "";
    throw new EnrollError(
      "docker",
      `the clean-up container (${image}) could not remove ${AGENT_STATE_DIR} (exit code ${run.exitCode}: ${run.output.join("; ") || "no output"})${removed}`,
      "Remove that folder on the Docker engine's machine by hand, or fix the cause and run down --purge again.",
    );
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
async function installAgentCa(
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
