import { parse } from "shell-quote";
import { EnrollError } from "../errors.js";

/** The server's RKE1 node command, as `docker run` would read it. Nothing is rebuilt: we launch what it says. */
export interface NodeCommand {
  image: string;
  /** The agent's arguments, in the server's order (`--server … --token … --ca-checksum …`). */
  args: string[];
  /** `NAME=VALUE`, from its `-e` options (the cluster's agentEnvVars: proxies). */
  env: string[];
  binds: string[];
  privileged: boolean;
  networkMode?: string;
  restartPolicy?: string;
  /** The values of the agent's `--server`, `--token` and `--ca-checksum`. */
  server?: string;
  token?: string;
  caChecksum?: string;
}

/** `docker run` options that take a value, under every spelling; their parsed field. */
const VALUED: Readonly<Record<string, "bind" | "env" | "network" | "restart">> = {
  "-v": "bind",
  "--volume": "bind",
  "-e": "env",
  "--env": "env",
  "--net": "network",
  "--network": "network",
  "--restart": "restart",
};
/** Options without a value that change nothing for a container the Engine API creates detached. */
const INERT = new Set(["-d", "--detach", "-i", "--interactive", "-t", "--tty"]);

/**
 * Parses `sudo docker run [options] IMAGE [args]` as the server wrote it: runs of whitespace (the formatter leaves
 * two spaces where a cluster has no agent env vars), quoted `-e "NAME=VALUE"` (v2.6+) or unquoted (v2.5).
 * An option we do not know is refused rather than dropped: launching something other than the server's command
 * would be worse than stopping.
 */
export function parseNodeCommand(text: string): NodeCommand {
  const words = shellWords(text);
  const start = runStart(words);
  if (start < 0) throw notDockerRun(text);
  const command: NodeCommand = { image: "", args: [], env: [], binds: [], privileged: false };
  let index = start;
  for (; index < words.length; index += 1) {
    const word = words[index] ?? "";
    if (!word.startsWith("-")) break;
    if (word === "--privileged") command.privileged = true;
    else if (!INERT.has(word) && !isInertCluster(word)) index = readValued(command, words, index, text);
  }
  const image = words[index];
  if (!image) throw malformed(text, "it names no image");
  command.image = image;
  command.args = words.slice(index + 1);
  return { ...command, ...agentFlags(command.args) };
}

function shellWords(text: string): string[] {
  // `$NAME` stays as written: a value such as a proxy password is the server's text, not ours to expand.
  const entries = parse(text, (name) => `$${name}`);
  if (entries.some((entry) => typeof entry !== "string")) throw notDockerRun(text);
  return entries as string[];
}

/** The index after `[sudo] docker run`, or -1. */
function runStart(words: readonly string[]): number {
  const offset = words[0] === "sudo" ? 1 : 0;
  return words[offset] === "docker" && words[offset + 1] === "run" ? offset + 2 : -1;
}

/** `-dit` and the like: a cluster of value-less short options. */
function isInertCluster(word: string): boolean {
  return /^-[a-z]{2,}$/.test(word) && [...word.slice(1)].every((letter) => INERT.has(`-${letter}`));
}

function readValued(command: NodeCommand, words: readonly string[], index: number, text: string): number {
  const word = words[index] ?? "";
  const equals = word.indexOf("=");
  const name = word.startsWith("--") && equals > 0 ? word.slice(0, equals) : word;
  const field = VALUED[name];
  if (!field) throw malformed(text, `it has the option ${name}, which this tool does not know`);
  const inline = name === word ? undefined : word.slice(equals + 1);
  const value = inline ?? words[index + 1];
  if (value === undefined) throw malformed(text, `${name} has no value`);
  if (field === "bind") command.binds.push(value);
  else if (field === "env") command.env.push(value);
  else if (field === "network") command.networkMode = value;
  else command.restartPolicy = value;
  return inline === undefined ? index + 1 : index;
}

/** run.sh's own spelling of its options (long and short). */
const AGENT_FLAGS = {
  server: ["--server", "-s"],
  token: ["--token", "-t"],
  caChecksum: ["--ca-checksum", "-c"],
} as const;

function agentFlags(args: readonly string[]): Pick<NodeCommand, "server" | "token" | "caChecksum"> {
  const found: Pick<NodeCommand, "server" | "token" | "caChecksum"> = {};
  for (const [field, names] of Object.entries(AGENT_FLAGS) as [
    keyof typeof AGENT_FLAGS,
    readonly string[],
  ][]) {
    const at = args.findIndex((arg) => names.includes(arg));
    const value = at >= 0 ? args[at + 1] : undefined;
    if (value !== undefined) found[field] = value;
  }
  return found;
}

function notDockerRun(text: string): EnrollError {
  const systemAgent = /system-agent-install\.sh/.test(text);
  return new EnrollError(
    "server",
    systemAgent
      ? "the cluster's node command installs rancher-system-agent: it is an RKE2/K3s cluster, which this tool cannot enroll with Docker"
      : `the cluster's node command is not a \`docker run\` command: ${excerpt(text)}`,
    systemAgent
      ? "Choose an RKE1 (custom, Docker) cluster, or run the cluster's registration command from the Rancher UI."
      : "Check the cluster's registration command in the Rancher UI; this tool enrolls RKE1 custom clusters.",
  );
}

export function malformed(text: string, why: string): EnrollError {
  return new EnrollError(
    "server",
    `cannot read the cluster's node command (${why}): ${excerpt(text)}`,
    "Please report this with the command the Rancher UI shows for the cluster (the token masked).",
  );
}

/** Enough of the command to recognise it, without the token (it follows --token). */
export function excerpt(text: string): string {
  const masked = text.replace(/(--token[=\s]+)\S+/g, "$1***");
  return masked.length > 160 ? `${masked.slice(0, 160)}…` : masked;
}
