import { shellWord } from "../docker/command-line.js";
import type { JoinSpec, NodeOptions, Role } from "../flows/seam.js";
import { maskToken, maskUrlPasswords } from "../log.js";
import type { InstallCommand } from "./install-command.js";
import { agentLabels } from "./node-labels.js";
import { machinePath } from "./system-agent-host.js";

/** How the kept installer runs: `sh <script> <args>` with exactly `env`. */
export interface InstallerInvocation {
  args: string[];
  env: Record<string, string>;
  /** The same as a command line a user could run, the token and proxy passwords masked. */
  shown: string;
}

/** install.sh's role flags (parse_args). */
const ROLE_FLAGS: Readonly<Record<Role, string>> = {
  etcd: "--etcd",
  controlplane: "--controlplane",
  worker: "--worker",
};

/** What the installer passes on from our environment: the proxies (install.sh writes them to the service's env). */
const PASSED_ON = ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"];

/**
 * The server's arguments plus this node's (roles, name, addresses, labels, taints). The secrets and the machine
 * id go in the environment, which install.sh reads (CATTLE_TOKEN, CATTLE_CA_CHECKSUM, CATTLE_ID): a process's
 * arguments are readable by every user of the machine, its environment only by root.
 */
export function installerInvocation(
  script: string,
  join: JoinSpec,
  command: InstallCommand,
  options: NodeOptions,
  machineId: string,
): InstallerInvocation {
  const args = [...command.args, ...nodeArgs(options)];
  const server = command.server ?? join.url;
  const token = command.token ?? join.secret;
  const caChecksum = command.caChecksum ?? join.caChecksum;
  const cattle: Record<string, string> = {
    ...(server ? { CATTLE_SERVER: server } : {}),
    CATTLE_TOKEN: token,
    ...(caChecksum ? { CATTLE_CA_CHECKSUM: caChecksum } : {}),
    CATTLE_ID: machineId,
  };
  const env = { ...passedOn(options.env), ...command.env, ...cattle };
  const words = [...Object.entries(cattle).map(([k, v]) => `${k}=${v}`), "sh", script, ...args];
  const shown = words.map(shellWord).join(" ");
  return { args: [script, ...args], env, shown: maskToken(maskUrlPasswords(shown), token) };
}

function nodeArgs(options: NodeOptions): string[] {
  const roles = options.roles?.length ? options.roles : (["worker"] as const);
  const valued = (flag: string, value: string | undefined) => (value ? [flag, value] : []);
  return [
    ...roles.map((role) => ROLE_FLAGS[role]),
    ...valued("--node-name", options.nodeName?.toLowerCase()),
    ...valued("--address", options.address),
    ...valued("--internal-address", options.internalAddress),
    ...Object.entries(agentLabels(options.labels)).flatMap(([key, value]) => ["--label", `${key}=${value}`]),
    ...(options.taints ?? []).flatMap((taint) => ["--taints", taint]),
  ];
}

function passedOn(env: NodeOptions["env"]): Record<string, string> {
  const passed: Record<string, string> = { PATH: machinePath(env) };
  for (const name of PASSED_ON) if (env[name]) passed[name] = env[name];
  return passed;
}
