import { NODE_SETTING_NAMES, SETTINGS } from "../config/setting-table.js";
import type { Deadline } from "../deadline.js";
import { containersLabelled, recentOutput, removeContainers, stopContainer } from "../docker/containers.js";
import { waitForDaemon } from "../docker/engine.js";
import { hasImage, localImagesNamed } from "../docker/image.js";
import { startService } from "../docker/service.js";
import { EnrollError } from "../errors.js";
import type { AgentPlan, AgentState, Installed, JoinSpec, NodeAgent, NodeOptions } from "../flows/seam.js";
import { maskToken, maskUrlPasswords } from "../log.js";
import { ensureImage } from "./agent-image.js";
import { agentState, crashLoop, type DockerMachine } from "./docker-machine.js";
import { agentLabels, announceNodeAddress } from "./node-labels.js";
import { parseNodeCommand, type NodeCommand } from "./node-command.js";
import {
  AGENT_CONTAINER,
  AGENT_LABEL,
  AGENT_LABEL_VALUE,
  describeService,
  rancherAgentSpec,
} from "./rancher-agent-spec.js";
import { cleanRkeNode } from "./rke-cleanup.js";

const AGENT_IMAGE_NAMES = ["rancher/rancher-agent", "*/rancher/rancher-agent"];
/** What the real agent logs, every 5 s, when the server no longer has its node (it was deleted meanwhile). */
const NODE_GONE = /nodes\.management\.cattle\.io "m-[0-9a-f]+" not found/;

/**
 * Rancher 2.x's RKE1 agent: the long-lived `rancher/rancher-agent` container, launched exactly as the cluster's
 * node command says (image, options, mounts, env) plus the node's own options, under one name of ours.
 */
export class RancherAgent implements NodeAgent {
  readonly line = "v3";
  readonly name = `the ${AGENT_CONTAINER} container`;
  readonly optionFlags = NODE_SETTING_NAMES.map((name) => SETTINGS[name].flag);
  /** Once the cluster runs, Rancher's node agent (cattle-node-agent) removes it, as every io.cattle.agent=true container. */
  readonly leavesOnceJoined = true;
  private nodeName?: Promise<string>;

  constructor(private readonly machine: DockerMachine) {}

  preflight(deadline: Deadline): Promise<void> {
    const { docker, log, waitForDockerSeconds } = this.machine;
    return waitForDaemon(docker, deadline, waitForDockerSeconds, log);
  }

  async announceAddress(options: NodeOptions): Promise<void> {
    announceNodeAddress(this.machine.log, options.address);
  }

  async names(options: NodeOptions): Promise<string[]> {
    return [await this.resolveNodeName(options)];
  }

  async describe(join: JoinSpec, options: NodeOptions): Promise<AgentPlan> {
    const { command, spec } = await this.plan(join, options);
    return {
      image: spec.image,
      imagePresent: await hasImage(this.machine.docker, spec.image),
      command: masked(describeService(spec, command.token), join, command),
    };
  }

  async provision(join: JoinSpec): Promise<{ imagePulled: boolean }> {
    return { imagePulled: await this.prefetch(parseNodeCommand(join.command).image) };
  }

  prefetch(image: string): Promise<boolean> {
    return ensureImage(this.machine.docker, this.machine.log, image, this.machine.onPullProgress);
  }

  /** Replaces the container of an earlier run (interrupted, or with another join): one agent per machine. */
  async install(join: JoinSpec, options: NodeOptions, _deadline?: Deadline): Promise<Installed> {
    const { docker, log } = this.machine;
    const { command, spec } = await this.plan(join, options);
    const replaced = await this.remove();
    if (replaced.length)
      log.info({ containers: replaced }, "replacing the agent container of an earlier run");
    log.info(
      { command: masked(describeService(spec, command.token), join, command) },
      `starting ${this.name}`,
    );
    await startService(docker, spec);
    return { imagePulled: false };
  }

  inspect(): Promise<AgentState> {
    return agentState(this.machine.docker, AGENT_CONTAINER);
  }

  async lostCredentials(): Promise<boolean> {
    return NODE_GONE.test(await recentOutput(this.machine.docker, AGENT_CONTAINER, 20));
  }

  crashLoop(): Promise<string | undefined> {
    return crashLoop(this.machine.docker, AGENT_CONTAINER);
  }

  stop(): Promise<void> {
    return stopContainer(this.machine.docker, AGENT_CONTAINER);
  }

  /** The containers this tool started: by name, and any other carrying our label. */
  async remove(_deadline?: Deadline): Promise<string[]> {
    const { docker } = this.machine;
    const removed = await removeContainers(docker, [AGENT_CONTAINER]);
    const others = await containersLabelled(docker, AGENT_LABEL, AGENT_LABEL_VALUE);
    return [...removed, ...(await removeContainers(docker, others))];
  }

  /** Rancher's documented RKE1 node clean-up, so that the machine can be added again (see rke-cleanup.ts). */
  async purge(images: string[], deadline: Deadline): Promise<string[]> {
    const { docker, log } = this.machine;
    const image = (await this.presentImage(images)) ?? images[0];
    if (!image) {
      throw new EnrollError(
        "docker",
        "cannot clean the node up: no rancher/rancher-agent image on this machine to run the clean-up with",
        "Pull the cluster's agent image (docker pull rancher/rancher-agent:<version>) and run down --purge again.",
      );
    }
    if (!(await hasImage(docker, image))) await this.prefetch(image);
    return cleanRkeNode(docker, image, deadline, log);
  }

  private async presentImage(images: string[]): Promise<string | undefined> {
    for (const image of images) if (await hasImage(this.machine.docker, image)) return image;
    return (await localImagesNamed(this.machine.docker, AGENT_IMAGE_NAMES))[0];
  }

  private async plan(join: JoinSpec, options: NodeOptions) {
    const command = parseNodeCommand(join.command);
    const spec = rancherAgentSpec(command, {
      roles: options.roles?.length ? options.roles : ["worker"],
      nodeName: await this.resolveNodeName(options),
      ...(options.address ? { address: options.address } : {}),
      ...(options.internalAddress ? { internalAddress: options.internalAddress } : {}),
      labels: agentLabels(options.labels),
      taints: options.taints ?? [],
    });
    return { command, spec };
  }

  /** The name given, else the engine's machine's short hostname (the agent's `hostname -s`), lower-cased. */
  private resolveNodeName(options: NodeOptions): Promise<string> {
    this.nodeName ??= (async () => {
      const given = options.nodeName ?? (await this.engineHostname());
      const nodeName = given.toLowerCase();
      if (nodeName !== given) {
        this.machine.log.warn(
          { given, nodeName },
          `node name "${given}" lower-cased to "${nodeName}": Rancher requires lower-case node names`,
        );
      }
      return nodeName;
    })();
    return this.nodeName;
  }

  private async engineHostname(): Promise<string> {
    const info = (await this.machine.docker.info()) as { Name?: string };
    const hostname = (info.Name ?? "").split(".")[0] ?? "";
    if (!/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/.test(hostname)) {
      throw new EnrollError(
        "usage",
        `the machine's hostname "${info.Name ?? ""}" is not a valid node name`,
        "Give one with --node-name (letters, digits and '-').",
      );
    }
    return hostname;
  }
}

/** The registration token (as the server's command has it) and any proxy password masked. */
function masked(text: string, join: JoinSpec, command: NodeCommand): string {
  return maskToken(maskToken(maskUrlPasswords(text), join.secret), command.token);
}
