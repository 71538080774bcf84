import { createHash } from "node:crypto";
import { commandsByController, minor, withoutRke1 } from "./config.js";
import type { RegistrationToken, V3Cluster } from "./types.js";
import type { V3World } from "./world.js";

/** Where the system-agent installer is served (capr installer.SystemAgentInstallPath). */
export const SYSTEM_AGENT_INSTALL_PATH = "/system-agent-install.sh";

/**
 * The CA checksum as the server writes it into `--ca-checksum` and as the agent checks it: sha256 of the
 * cacerts setting with a trailing newline ensured, lowercase hex; empty when the setting is empty.
 */
export function caChecksum(cacerts: string): string {
  if (cacerts.trim() === "") return "";
  const pem = cacerts.endsWith("\n") ? cacerts : `${cacerts}\n`;
  return createHash("sha256").update(pem).digest("hex");
}

/** The command fields of a token (status.go in 2.6+, the read-time formatter before). */
export interface TokenCommands {
  nodeCommand: string;
  insecureNodeCommand: string;
  windowsNodeCommand: string;
  insecureWindowsNodeCommand: string;
  command: string;
  insecureCommand: string;
  manifestUrl: string;
}

const EMPTY: TokenCommands = {
  nodeCommand: "",
  insecureNodeCommand: "",
  windowsNodeCommand: "",
  insecureWindowsNodeCommand: "",
  command: "",
  insecureCommand: "",
  manifestUrl: "",
};

const DOCKER_PREFIX =
  "sudo docker run -d --privileged --restart=unless-stopped --net=host " +
  "-v /etc/kubernetes:/etc/kubernetes -v /var/run:/var/run";

/**
 * `requestRoot` is the origin of the request: servers before 2.6 fall back to it when server-url is unset;
 * 2.6+ leave every command empty then.
 */
export function tokenCommands(
  world: V3World,
  token: RegistrationToken,
  cluster: V3Cluster,
  requestRoot: string,
): TokenCommands {
  const { version } = world.config;
  if (!token.commandsReady) return EMPTY;
  const serverUrl = world.serverUrl || (commandsByController(version) ? "" : requestRoot);
  if (serverUrl === "") return EMPTY;
  const root = rootUrl(serverUrl);
  const manifestUrl = `${root}/v3/import/${token.token}_${cluster.id}.yaml`;
  const checksum = token.writtenCaChecksum ?? caChecksum(world.config.cacerts);
  const ca = checksum ? ` --ca-checksum ${checksum}` : "";
  const systemAgent = cluster.kind === "rke2" || withoutRke1(version);
  const linux = systemAgent
    ? systemAgentCommands(cluster, root, token.token, ca)
    : { nodeCommand: dockerCommand(world, cluster, root, token.token, ca), insecureNodeCommand: "" };
  return {
    ...linux,
    windowsNodeCommand: windowsCommand(world, systemAgent, root, token.token, checksum),
    insecureWindowsNodeCommand: "",
    command: `kubectl apply -f ${manifestUrl}`,
    insecureCommand: `curl --insecure -sfL ${manifestUrl} | kubectl apply -f -`,
    manifestUrl,
  };
}

/** The server-url with its path cleared. */
function rootUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  return `${url.protocol}//${url.host}`;
}

/** `<prefix> <ENV> <IMAGE> --server …`: with no env vars the slot stays empty, hence two spaces (2.5+). */
function dockerCommand(world: V3World, cluster: V3Cluster, root: string, token: string, ca: string): string {
  const tail = `${world.config.agentImage} --server ${root} --token ${token}${ca}`;
  if (minor(world.config.version) < 5) return `${DOCKER_PREFIX} ${tail}`;
  const style = minor(world.config.version) >= 6 ? "docker" : "docker-unquoted";
  return `${DOCKER_PREFIX} ${agentEnv(cluster, style)} ${tail}`;
}

function systemAgentCommands(
  cluster: V3Cluster,
  root: string,
  token: string,
  ca: string,
): Pick<TokenCommands, "nodeCommand" | "insecureNodeCommand"> {
  const env = agentEnv(cluster, "shell");
  const args = `--server ${root} --label 'cattle.io/os=linux' --token ${token}${ca}`;
  const script = `${root}${SYSTEM_AGENT_INSTALL_PATH}`;
  return {
    nodeCommand: `${env} curl -fL ${script} | sudo ${env} sh -s - ${args}`,
    insecureNodeCommand: `${env} curl --insecure -fL ${script} | sudo ${env} sh -s - ${args}`,
  };
}

function windowsCommand(
  world: V3World,
  systemAgent: boolean,
  root: string,
  token: string,
  checksum: string,
): string {
  if (systemAgent) {
    const ca = checksum ? ` -CaChecksum ${checksum}` : "";
    return (
      ` curl.exe -fL ${root}/wins-agent-install.ps1 -o install.ps1; Set-ExecutionPolicy Bypass -Scope Process -Force; ` +
      `./install.ps1 -Server ${root} -Label 'cattle.io/os=windows' -Token ${token} -Worker${ca}`
    );
  }
  const ca = checksum ? ` --ca-checksum ${checksum}` : "";
  const image = world.config.agentImage;
  return (
    `PowerShell -NoLogo -NonInteractive -Command "& {docker run -v c:\\:c:\\host ${image} bootstrap ` +
    `--server ${root} --token ${token}${ca} | iex}"`
  );
}

/** Cluster agentEnvVars with a value: `-e "N=V"` (2.6+) or `-e N=V` (2.5) for Docker, `N="V"` for a shell. */
function agentEnv(cluster: V3Cluster, style: "docker" | "docker-unquoted" | "shell"): string {
  const format = {
    docker: (name: string, value: string) => `-e "${name}=${value}"`,
    "docker-unquoted": (name: string, value: string) => `-e ${name}=${value}`,
    shell: (name: string, value: string) => `${name}="${value}"`,
  }[style];
  return cluster.agentEnvVars
    .filter((v) => v.value !== "")
    .map(({ name, value }) => format(name, value))
    .join(" ");
}
