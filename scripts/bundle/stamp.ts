// What a build stamps into the CLI (src/version.ts): package.json's version and the commit it was built from.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

export interface Stamp {
  version: string;
  /** Short commit id, with "-dirty" when the work tree had changes; "unknown" outside a git checkout. */
  commit: string;
}

const run = promisify(execFile);

export async function buildStamp(root: string): Promise<Stamp> {
  const { version } = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { version: string };
  return { version, commit: await commitOf(root) };
}

async function commitOf(root: string): Promise<string> {
  try {
    const { stdout: head } = await run("git", ["rev-parse", "--short=12", "HEAD"], { cwd: root });
    const { stdout: changes } = await run("git", ["status", "--porcelain", "--untracked-files=no"], {
      cwd: root,
    });
    return `${head.trim()}${changes.trim() ? "-dirty" : ""}`;
  } catch {
    return "unknown";
  }
}
