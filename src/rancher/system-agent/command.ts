import { parse } from "shell-quote";
import { EnrollError } from "../../errors.js";

/** The system agent's node command, as a shell reads it: `<ENV> curl -fL <installer> | sudo <ENV> sh -s - <args>`. */
export interface SystemAgentCommand {
  /** Where `curl` downloads the installer from. */
  installerUrl: string;
  /** `NAME=VALUE` assignments the command gives the installer (the cluster's agent environment variables). */
  env: Record<string, string>;
  /** The installer's arguments, in the server's order, without `--token` and its value. */
  args: string[];
  server?: string;
  token?: string;
  caChecksum?: string;
}

const INSTALLER_PATH = "/system-agent-install.sh";
/** `curl` options of the command (status.go writes `-fL`, `--insecure -fL` for the insecure variant). */
const CURL_OPTIONS = new Set(["-fL", "-sfL", "-f", "-L", "-s", "--insecure", "-k"]);
const VALUED_ARGS = { "--server": "server", "--token": "token", "--ca-checksum": "caChecksum" } as const;

/**
 * Reads the server's Linux node command for an RKE2/K3s cluster. Nothing is run from it: the installer URL it names
 * is downloaded by us, and its arguments are handed to the installer. Anything else in the pipeline is refused.
 */
export function parseSystemAgentCommand(text: string): SystemAgentCommand {
  const words = parse(text, (name) => `$${name}`);
  const pipe = words.findIndex((word) => typeof word !== "string");
  if (pipe < 0 || !isPipe(words[pipe]) || words.slice(pipe + 1).some((word) => typeof word !== "string"))
    throw unreadable(text, "it is not `curl … | sh -s - …`");
  const download = readDownload(words.slice(0, pipe) as string[], text);
  const install = readInstall(words.slice(pipe + 1) as string[], text);
  return { installerUrl: download.url, env: { ...download.env, ...install.env }, ...install.args };
}

function isPipe(word: unknown): boolean {
  return typeof word === "object" && word !== null && (word as { op?: unknown }).op === "|";
}

/** `[NAME=VALUE]… curl [options] URL`. */
function readDownload(words: string[], text: string): { url: string; env: Record<string, string> } {
  const { env, rest } = leadingEnv(words);
  const [curl, ...options] = rest;
  const url = options.pop();
  if (curl !== "curl" || !url || options.some((option) => !CURL_OPTIONS.has(option)))
    throw unreadable(text, "its download is not `curl -fL <server>/system-agent-install.sh`");
  if (!safeUrl(url)?.pathname.endsWith(INSTALLER_PATH))
    throw unreadable(text, `it does not download ${INSTALLER_PATH}`);
  return { url, env };
}

/** `[sudo] [NAME=VALUE]… sh -s - ARGS`. */
function readInstall(
  words: string[],
  text: string,
): { env: Record<string, string>; args: Omit<SystemAgentCommand, "installerUrl" | "env"> } {
  const { env, rest } = leadingEnv(words[0] === "sudo" ? words.slice(1) : words);
  if (rest[0] !== "sh" || rest[1] !== "-s" || rest[2] !== "-")
    throw unreadable(text, "it does not pipe the installer into `sh -s -`");
  const args: string[] = [];
  const found: Partial<Record<"server" | "token" | "caChecksum", string>> = {};
  const given = rest.slice(3);
  for (let index = 0; index < given.length; index += 1) {
    const word = given[index]!;
    const field = VALUED_ARGS[word as keyof typeof VALUED_ARGS];
    if (!field) {
      args.push(word);
      continue;
    }
    const value = given[index + 1];
    if (value === undefined) throw unreadable(text, `${word} has no value`);
    found[field] = value;
    if (field !== "token") args.push(word, value);
    index += 1;
  }
  return { env, args: { args, ...found } };
}

function leadingEnv(words: string[]): { env: Record<string, string>; rest: string[] } {
  const env: Record<string, string> = {};
  let index = 0;
  for (; index < words.length; index += 1) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(words[index]!);
    if (!match) break;
    env[match[1]!] = match[2]!;
  }
  return { env, rest: words.slice(index) };
}

function safeUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === "https:" || url.protocol === "http:" ? url : undefined;
  } catch {
    return undefined;
  }
}

function unreadable(text: string, why: string): EnrollError {
  const masked = text.replace(/(--token[=\s]+)\S+/g, "$1***");
  const excerpt = masked.length > 200 ? `${masked.slice(0, 200)}…` : masked;
  return new EnrollError(
    "server",
    `cannot read the cluster's node command (${why}): ${excerpt}`,
    "Please report this with the command the Rancher UI shows for the cluster (the token masked).",
  );
}
