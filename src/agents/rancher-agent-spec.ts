import { shellWord } from "../docker/command-line.js";
import { ROLES, type Role } from "../config/node-options.js";
import type { ServiceSpec } from "../docker/service.js";
import { maskToken } from "../log.js";
import type { NodeCommand } from "./node-command.js";

/** What this machine asks to be in the cluster: run.sh's node options. */
export interface NodeFlags {
  roles: readonly Role[];
  /** Already lower-cased (Rancher's node names are DNS-1123 names). */
  nodeName: string;
  address?: string;
  internalAddress?: string;
  labels: Readonly<Record<string, string>>;
  /** `KEY=VALUE:EFFECT` */
  taints: readonly string[];
}

/** The agent container: one name (so two runs cannot start two agents), labelled as ours. */
export const AGENT_CONTAINER = "rancher-enroll-agent";
export const AGENT_LABEL = "io.rancher-enroll.role";
export const AGENT_LABEL_VALUE = "rancher-agent";

/** The node options in the order the Rancher UI appends them to the node command. */
export function nodeArgs(flags: NodeFlags): string[] {
  return [
    ...["--node-name", flags.nodeName],
    ...(flags.address ? ["--address", flags.address] : []),
    ...(flags.internalAddress ? ["--internal-address", flags.internalAddress] : []),
    ...ROLES.filter((role) => flags.roles.includes(role)).map((role) => `--${role}`),
    ...Object.entries(flags.labels).flatMap(([key, value]) => ["--label", `${key}=${value}`]),
    ...flags.taints.flatMap((taint) => ["--taints", taint]),
  ];
}

/** The server's command as it stands (image, options, mounts, env, its arguments), plus the node options. */
export function rancherAgentSpec(command: NodeCommand, flags: NodeFlags): ServiceSpec {
  return {
    name: AGENT_CONTAINER,
    image: command.image,
    cmd: [...command.args, ...nodeArgs(flags)],
    env: command.env,
    binds: command.binds,
    privileged: command.privileged,
    ...(command.networkMode ? { networkMode: command.networkMode } : {}),
    ...(command.restartPolicy ? { restartPolicy: command.restartPolicy } : {}),
    labels: { [AGENT_LABEL]: AGENT_LABEL_VALUE },
  };
}

/** The `docker run` line a user could paste to do what we do, the registration token masked. */
export function describeService(spec: ServiceSpec, token: string | undefined): string {
  const words = ["docker", "run", "-d", "--name", spec.name];
  if (spec.privileged) words.push("--privileged");
  if (spec.restartPolicy) words.push(`--restart=${spec.restartPolicy}`);
  if (spec.networkMode) words.push(`--net=${spec.networkMode}`);
  for (const bind of spec.binds) words.push("-v", bind);
  for (const variable of spec.env) words.push("-e", variable);
  for (const [key, value] of Object.entries(spec.labels)) words.push("--label", `${key}=${value}`);
  return maskToken([...words, spec.image, ...spec.cmd].map(shellWord).join(" "), token);
}
