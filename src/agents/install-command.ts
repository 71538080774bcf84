import { parse } from "shell-quote";
import { EnrollError } from "../errors.js";
import { excerpt, malformed } from "./node-command.js";

/**
 * The server's system-agent node command, `[ENV] curl -fL <server>/system-agent-install.sh | sudo [ENV] sh -s -
 * --server … --label 'cattle.io/os=linux' --token … [--ca-checksum …]`, as the shell would read it. Nothing is
 * rebuilt: the installer gets the server's arguments, except that the secret ones move to its environment.
 */
export interface InstallCommand {
  /** Where the command downloads the installer from. */
  scriptUrl: string;
  /** `NAME="value"` assignments the command gives the installer (the cluster's agent env vars: proxies). */
  env: Record<string, string>;
  /** The installer's arguments without `--server`, `--token` and `--ca-checksum` (those go to its environment). */
  args: string[];
  server?: string;
  token?: string;
  caChecksum?: string;
}

/** install.sh's own spelling of the options whose values travel in its environment instead (parse_args). */
const MOVED = {
  server: ["--server", "-s"],
  token: ["--token", "-t"],
  caChecksum: ["--ca-checksum", "-c"],
} as const;
type Moved = keyof typeof MOVED;

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

export function parseInstallCommand(text: string): InstallCommand {
  const [download, run, ...rest] = pipeline(text);
  if (!download || !run || rest.length) throw notInstallCommand(text);
  const scriptUrl = download.filter((word) => !ASSIGNMENT.test(word)).find((w) => /^https?:\/\//.test(w));
  if (download.find((word) => !ASSIGNMENT.test(word)) !== "curl" || !scriptUrl) throw notInstallCommand(text);
  const words = run[0] === "sudo" ? run.slice(1) : run;
  const env: Record<string, string> = {};
  let index = 0;
  for (let match; (match = ASSIGNMENT.exec(words[index] ?? "")); index += 1) env[match[1]!] = match[2]!;
  if (words.slice(index, index + 3).join(" ") !== "sh -s -") throw notInstallCommand(text);
  return { scriptUrl, env, ...installerArgs(words.slice(index + 3), text) };
}

/** The words of each command of a `|` pipeline; anything else the shell would do (`;`, `&&`, `>`) is refused. */
function pipeline(text: string): string[][] {
  // `$NAME` stays as written: a value such as a proxy password is the server's text, not ours to expand.
  const commands: string[][] = [[]];
  for (const entry of parse(text, (name) => `$${name}`)) {
    if (typeof entry === "string") commands[commands.length - 1]!.push(entry);
    else if ("op" in entry && entry.op === "|") commands.push([]);
    else throw notInstallCommand(text);
  }
  return commands;
}

function installerArgs(words: readonly string[], text: string): Omit<InstallCommand, "scriptUrl" | "env"> {
  const found: Partial<Record<Moved, string>> = {};
  const args: string[] = [];
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index]!;
    const moved = (Object.keys(MOVED) as Moved[]).find((field) =>
      (MOVED[field] as readonly string[]).includes(word),
    );
    if (!moved) {
      args.push(word);
      continue;
    }
    const value = words[index + 1];
    if (value === undefined) throw malformed(text, `${word} has no value`);
    found[moved] = value;
    index += 1;
  }
  return { args, ...found };
}

function notInstallCommand(text: string): EnrollError {
  return new EnrollError(
    "server",
    `the cluster's node command is not the system agent's \`curl … | sh -s -\` command: ${excerpt(text)}`,
    "Check the cluster's registration command in the Rancher UI; please report this with the command (the token masked).",
  );
}
