// The Ansible collection in examples/ansible/ (rancher_enroll.enroll) as a user gets it: built by
// `ansible-galaxy collection build`, installed by `ansible-galaxy collection install` into a collections folder.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { repoFile } from "./integrations.js";
import { runCommand } from "./testbed/command.js";

export const COLLECTION_SOURCE = repoFile("examples/ansible");

export interface Galaxy {
  namespace: string;
  name: string;
  version: string;
}

export const galaxy = async () =>
  parse(await readFile(join(COLLECTION_SOURCE, "galaxy.yml"), "utf8")) as Galaxy;

/** For ansible-galaxy and ansible-playbook: no colours, no warning about the missing inventory. */
export const ANSIBLE_PLAIN = { ANSIBLE_NOCOLOR: "1", ANSIBLE_LOCALHOST_WARNING: "false" };

export const ansibleEnv = (extra: Record<string, string> = {}) => ({
  ...process.env,
  ...ANSIBLE_PLAIN,
  ...extra,
});

async function ansibleGalaxy(args: string[]): Promise<string> {
  const result = await runCommand("ansible-galaxy", args, { env: ansibleEnv() });
  if (result.code !== 0)
    throw new Error(`ansible-galaxy ${args.join(" ")}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** `ansible-galaxy collection build` into `dir`: the tarball's path. */
export async function buildCollection(dir: string): Promise<string> {
  const output = await ansibleGalaxy(["collection", "build", COLLECTION_SOURCE, "--output-path", dir]);
  const built = /^Created collection for \S+ at (\S+\.tar\.gz)$/m.exec(output)?.[1];
  if (!built) throw new Error(`ansible-galaxy collection build said:\n${output}`);
  return built;
}

/** `ansible-galaxy collection install` of the tarball into `dir`: the path for ANSIBLE_COLLECTIONS_PATH. */
export async function installCollection(tarball: string, dir: string): Promise<string> {
  await ansibleGalaxy(["collection", "install", tarball, "--collections-path", dir]);
  return dir;
}
