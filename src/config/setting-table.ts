import { EnrollError } from "../errors.js";
import { readCaCertificate, type CaCertificate } from "./ca-cert.js";
import { formatLabels, labelText, parseLabelText } from "./labels.js";
import { parseServerUrl, type ServerUrl } from "./server-url.js";
import {
  parseCaChecksum,
  parseNodeName,
  parseRoles,
  parseTaints,
  parseWaitFor,
  type Role,
} from "./node-options.js";
import {
  parseIp,
  parseNonNegativeSeconds,
  parsePositiveSeconds,
  parseSwitch,
  validateAgentIp,
} from "./validate.js";

/**
 * One setting and every place it can come from: a flag, an environment variable, a key of a profile (in the
 * credentials file for credentials, in the config file otherwise), a fallback. Values arrive as text from every
 * source and are parsed by the same function.
 */
export interface Setting<T> {
  /** Long flag; commander keeps its value under the camelCase of its name (`--agent-ip`: `agentIp`). */
  readonly flag: string;
  readonly shortFlag?: string;
  /** Absent for an on/off flag: given alone, it means "true". */
  readonly argument?: string;
  /** Names the setting in messages: "<description> is not set". */
  readonly description: string;
  readonly help: string;
  readonly env?: string;
  /** Its key in a profile section. */
  readonly key: string;
  /** Kept in the credentials file and masked when shown: "masked" shows the last characters, "hidden" none. */
  readonly credential?: "masked" | "hidden";
  /** Required settings without a fallback stop a command when no source sets them. */
  readonly required: boolean;
  readonly fallback?: T;
  /** A repeatable flag's values, as the text a profile would hold. */
  joinFlagValues?(values: readonly string[]): string;
  /** `name` is where the text came from (a flag, a variable, a profile key), for error messages. */
  parse(text: string, name: string): T;
  show?(value: T): string;
}

export const SETTINGS = {
  url: {
    flag: "--url",
    argument: "<url>",
    description: "the Rancher server URL",
    help: "Rancher server URL, any form copied from the UI",
    env: "RANCHER_URL",
    key: "url",
    required: true,
    parse: (text: string) => parseServerUrl(text),
    show: ({ base, projectHint }: ServerUrl) => (projectHint ? `${base} (environment ${projectHint})` : base),
  },
  accessKey: {
    flag: "--access-key",
    argument: "<key>",
    description: "the API access key",
    help: "API access key",
    env: "RANCHER_ACCESS_KEY",
    key: "access_key",
    credential: "masked",
    required: false,
    parse: (text: string) => text,
  },
  secretKey: {
    flag: "--secret-key",
    argument: "<key>",
    description: "the API secret key",
    help: "API secret key; a flag lands in shell history, prefer the variable or a profile",
    env: "RANCHER_SECRET_KEY",
    key: "secret_key",
    credential: "hidden",
    required: false,
    parse: (text: string) => text,
  },
  // Rancher 2.x (v3): the API token and the cluster.
  token: {
    flag: "--token",
    argument: "<token>",
    description: "the API token",
    help: 'Rancher 2.x API token (token-xxxxx:secret, the UI\'s "Bearer Token"); a flag lands in shell history, prefer the variable or a profile',
    env: "RANCHER_TOKEN",
    key: "token",
    credential: "hidden",
    required: false,
    parse: parseApiToken,
  },
  cluster: {
    flag: "--cluster",
    argument: "<name|id>",
    description: "the target cluster",
    help: "Rancher 2.x cluster to join, by name or id (c-xxxxx)",
    env: "RANCHER_CLUSTER",
    key: "cluster",
    required: false,
    parse: (text: string) => nonEmpty(text, "cluster", "--cluster dev-rke1"),
  },
  caCert: {
    flag: "--ca-cert",
    argument: "<file>",
    description: "the CA certificate file",
    help: "trust the server's certificate when this CA (PEM) signed it; also installed for the agent (/var/lib/rancher/etc/ssl/ca.crt)",
    env: "RANCHER_CA_CERT",
    key: "ca_cert",
    required: false,
    parse: (text: string, name: string) => readCaCertificate(text, name),
    show: ({ path, subject }: CaCertificate) => `${path} (${subject})`,
  },
  insecure: {
    flag: "--insecure",
    description: "skipping TLS verification",
    help: "do not verify the server's TLS certificate in our own API calls (the agent still does): not recommended",
    env: "RANCHER_INSECURE",
    key: "insecure",
    required: true,
    fallback: false,
    parse: (text: string, name: string) => parseSwitch(name, text),
  },
  environment: {
    flag: "--environment",
    shortFlag: "-e",
    argument: "<name|id>",
    description: "the target environment",
    help: "target environment, by name or id (default: the only one the key sees)",
    env: "RANCHER_ENVIRONMENT",
    key: "environment",
    required: false,
    parse: (text: string) => nonEmpty(text, "environment", "--environment Default"),
  },
  labels: {
    flag: "--label",
    shortFlag: "-l",
    argument: "<key=value>",
    description: "the host labels",
    help: "host label, repeatable; flags replace the profile's labels",
    key: "labels",
    required: true,
    fallback: {},
    joinFlagValues: labelText,
    parse: (text: string) => parseLabelText(text),
    show: (labels: Record<string, string>) => formatLabels(labels) || "none",
  },
  agentIp: {
    flag: "--agent-ip",
    argument: "<ip>",
    description: "the agent IP address",
    help: "IPv4 address the agent registers (CATTLE_AGENT_IP)",
    key: "agent_ip",
    required: false,
    parse: (text: string) => validateAgentIp(text.trim()),
  },
  agentInterface: {
    flag: "--agent-interface",
    argument: "<name>",
    description: "the agent's network interface",
    help: "register the IPv4 address of this network interface (instead of --agent-ip)",
    key: "agent_interface",
    required: false,
    parse: parseInterfaceName,
  },
  timeout: {
    flag: "--timeout",
    argument: "<seconds>",
    description: "the timeout",
    help: "give up after this many seconds",
    key: "timeout",
    required: true,
    fallback: 600,
    parse: (text: string, name: string) => parsePositiveSeconds(name, text),
  },
  waitForDocker: {
    flag: "--wait-for-docker",
    argument: "<seconds>",
    description: "the time to wait for Docker",
    help: "wait this long for the Docker engine to answer, as at boot (0: do not wait)",
    env: "RANCHER_ENROLL_WAIT_FOR_DOCKER",
    key: "wait_for_docker",
    required: true,
    fallback: 60,
    parse: (text: string, name: string) => parseNonNegativeSeconds(name, text),
  },
  roles: {
    flag: "--role",
    argument: "<role>",
    description: "the node roles",
    help: "2.x: the node's role in the cluster, etcd, controlplane or worker; repeatable",
    key: "roles",
    required: true,
    fallback: ["worker"],
    joinFlagValues: (values: readonly string[]) => values.join(","),
    parse: parseRoles,
    show: (roles: readonly Role[]) => roles.join(","),
  },
  nodeName: {
    flag: "--node-name",
    argument: "<name>",
    description: "the node name",
    help: "2.x: the node's name in the cluster, lower-cased as Rancher requires (default: the machine's hostname)",
    key: "node_name",
    required: false,
    parse: parseNodeName,
  },
  address: {
    flag: "--address",
    argument: "<ip>",
    description: "the node address",
    help: "2.x: the IP address other nodes reach this one at (default: the agent's, from the default route)",
    key: "address",
    required: false,
    parse: (text: string, name: string) => parseIp(text, name),
  },
  internalAddress: {
    flag: "--internal-address",
    argument: "<ip>",
    description: "the node's internal address",
    help: "2.x: the IP address for traffic inside the cluster (default: the address)",
    key: "internal_address",
    required: false,
    parse: (text: string, name: string) => parseIp(text, name),
  },
  taints: {
    flag: "--taint",
    argument: "<key=value:effect>",
    description: "the node taints",
    help: "2.x: a taint of the node, effect NoSchedule, PreferNoSchedule or NoExecute; repeatable",
    key: "taints",
    required: true,
    fallback: [],
    joinFlagValues: (values: readonly string[]) => values.join(","),
    parse: parseTaints,
    show: (taints: readonly string[]) => taints.join(",") || "none",
  },
  waitFor: {
    flag: "--wait-for",
    argument: "<registered|active>",
    description: "what to wait for",
    help: "2.x: wait until the node is registered, or active (Ready)",
    key: "wait_for",
    required: true,
    fallback: "active",
    parse: parseWaitFor,
  },
  caChecksum: {
    flag: "--ca-checksum",
    argument: "<hex>",
    description: "the CA checksum",
    help: "2.x: trust the server only if the SHA-256 of its CA (/v3/settings/cacerts) is this, as the UI shows it",
    env: "RANCHER_CA_CHECKSUM",
    key: "ca_checksum",
    required: false,
    parse: parseCaChecksum,
  },
} satisfies Record<string, Setting<unknown>>;

export type SettingName = keyof typeof SETTINGS;

/** The value a setting resolves to: possibly undefined unless it is required or has a fallback. */
export type SettingValue<N extends SettingName> = (typeof SETTINGS)[N] extends { required: true }
  ? ReturnType<(typeof SETTINGS)[N]["parse"]>
  : ReturnType<(typeof SETTINGS)[N]["parse"]> | undefined;

export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];
export const SERVER_SETTING_NAMES = [
  "url",
  "token",
  "accessKey",
  "secretKey",
  "caCert",
  "insecure",
  // It decides which CA our own calls trust, so every command that talks to the server takes it.
  "caChecksum",
] as const satisfies SettingName[];
/** up's settings for a 2.x node: how it joins the cluster and what up waits for (a usage error on 1.6). */
export const NODE_SETTING_NAMES = [
  "roles",
  "nodeName",
  "address",
  "internalAddress",
  "taints",
  "waitFor",
] as const satisfies SettingName[];
export const UP_SETTING_NAMES = [
  ...SERVER_SETTING_NAMES,
  "environment",
  "cluster",
  "labels",
  "agentIp",
  "agentInterface",
  ...NODE_SETTING_NAMES,
  "timeout",
  "waitForDocker",
] as const satisfies SettingName[];

/** up's settings beyond the server's: with them, the options of `up` and of `settings` (which lists up's). */
export const UP_ONLY_SETTING_NAMES = UP_SETTING_NAMES.filter(
  (name) => !(SERVER_SETTING_NAMES as readonly SettingName[]).includes(name),
);

/** Every setting through one type, for code that treats them alike. */
export function setting(name: SettingName): Setting<unknown> {
  return SETTINGS[name] as Setting<unknown>;
}

/** The key under which commander hands over a flag's value. */
export function flagAttribute(flag: string): string {
  return flag.replace(/^--/, "").replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

export function showValue(item: Setting<unknown>, value: unknown): string {
  if (item.credential) return mask(String(value), item.credential);
  return item.show ? item.show(value) : String(value);
}

function mask(secret: string, how: "masked" | "hidden"): string {
  return how === "masked" && secret.length > 8 ? `****${secret.slice(-4)}` : "****";
}

function parseInterfaceName(text: string, name: string): string {
  const interfaceName = text.trim();
  if (!/^[\w.:@-]+$/.test(interfaceName)) {
    throw new EnrollError(
      "usage",
      `${name} must name a network interface, got "${text}"`,
      "See `ip -brief address`.",
    );
  }
  return interfaceName;
}

function nonEmpty(text: string, what: string, example: string): string {
  const value = text.trim();
  if (value === "")
    throw new EnrollError("usage", `the ${what} is empty`, `Give its name or id, e.g. ${example}.`);
  return value;
}

/** `token-xxxxx:secret`: the Bearer token is the key's two halves joined by a colon. */
function parseApiToken(text: string, name: string): string {
  const token = text.trim();
  if (!/^[^\s:]+:\S+$/.test(token)) {
    throw new EnrollError(
      "usage",
      `${name} must be a Rancher API token, its access key and secret key joined by a colon (token-xxxxx:secret)`,
      'Create an API key in the Rancher UI (avatar > Account & API Keys) and copy its "Bearer Token".',
    );
  }
  return token;
}
