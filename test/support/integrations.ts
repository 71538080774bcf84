// What the integration tests share: where the shipped files are, the CLI as a file to "download", the values a user
// fills in, and the environment a machine's boot or an SSH session gives a command.
import { createHash } from "node:crypto";
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CLI_BIN, CLI_PATH } from "./cli.js";
import { runCommand, type CommandResult } from "./testbed/command.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
export const repoFile = (path: string) => join(REPO, path);

/** The PATH of a Debian machine's boot and of a root shell on it. */
const MACHINE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
export const machineEnv = (extra: Record<string, string> = {}) => ({
  PATH: MACHINE_PATH,
  HOME: "/root",
  LANG: "C.UTF-8",
  ...extra,
});

export interface Download {
  url: string;
  sha256: string;
}

/**
 * rancher-enroll as a file to download (a file:// URL, which curl and Ansible's get_url fetch offline): the single
 * executable when the tests run against it, else a script running the built CLI with this Node.js.
 */
export async function publishCli(dir: string): Promise<Download> {
  const file = join(dir, "rancher-enroll");
  if (CLI_BIN) await copyFile(CLI_BIN, file);
  else await writeFile(file, `#!/bin/sh\nexec '${process.execPath}' '${CLI_PATH}' "$@"\n`);
  await chmod(file, 0o644);
  return downloadOf(file);
}

/** A file as a download (a file:// URL, which curl, apt-get and Ansible's get_url fetch offline), with its SHA-256. */
export async function downloadOf(file: string): Promise<Download> {
  const sha256 = createHash("sha256")
    .update(await readFile(file))
    .digest("hex");
  return { url: pathToFileURL(file).href, sha256 };
}

/** What a user does with a shipped file: replace each placeholder, every one of which must be there. */
export function fillIn(text: string, values: Record<string, string>): string {
  let filled = text;
  for (const [placeholder, value] of Object.entries(values)) {
    if (!filled.includes(placeholder)) throw new Error(`placeholder ${placeholder} is not in the file`);
    filled = filled.replaceAll(placeholder, value);
  }
  return filled;
}

/**
 * For tests of a shipped file with a tool Debian provides (installed by scripts/setup.sh): the reason to skip when
 * the tool is missing, or false. Under CI=true a missing tool fails the test instead of skipping it.
 */
export async function missingTools(...tools: string[]): Promise<string | false> {
  const missing: string[] = [];
  for (const tool of tools) {
    const found = await runCommand("sh", ["-c", `command -v ${tool}`]);
    if (found.code !== 0) missing.push(tool);
  }
  if (missing.length === 0 || process.env.CI === "true") return false;
  return `not installed: ${missing.join(", ")} (scripts/setup.sh installs them as root)`;
}

/** The scratch machines run in namespaces of their own, which only root may create. */
export const notRoot = process.getuid?.() !== 0 && process.env.CI !== "true" ? "needs root" : false;

/** shellcheck's findings on a script (exit 0: none), for the shell that will run it. */
export async function shellcheck(script: string, shell: "sh" | "bash"): Promise<CommandResult> {
  const dir = await mkdtemp(join(tmpdir(), "rancher-enroll-shellcheck-"));
  try {
    const file = join(dir, "script");
    await writeFile(file, script);
    return await runCommand("shellcheck", ["--shell", shell, "--severity", "style", file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
