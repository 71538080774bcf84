import { mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

const NODE_COMMANDS = new Set(["node", "nodejs", "npm", "npx", "corepack"]);

let linkDir: string | undefined;

/**
 * A PATH with every command of `path` except Node.js and its tools: one folder of links, made once per process
 * and removed at exit. What a machine without Node.js offers a program that runs `hostname`, `cat` or `sh`.
 */
export function pathWithoutNode(path = process.env.PATH ?? ""): string {
  linkDir ??= linkCommands(path.split(delimiter).filter(Boolean));
  return linkDir;
}

function linkCommands(dirs: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "rancher-enroll-no-node-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const linked = new Set<string>();
  for (const source of dirs) {
    for (const name of listDir(source)) {
      if (NODE_COMMANDS.has(name) || linked.has(name) || !isFile(join(source, name))) continue;
      symlinkSync(join(source, name), join(dir, name));
      linked.add(name);
    }
  }
  return dir;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
