import { existsSync, type Stats } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { EnrollError } from "../errors.js";
import { readRegularFile, safeOwnershipCommand, trustedOwners, unsafeOwnership } from "../local-files.js";
import type { Env } from "./profile-files.js";
import type { Found } from "./resolve.js";
import type { SettingName } from "./setting-table.js";

/** The fields of the Rancher 1.x CLI's `cli.json` (written by `rancher config`), by the setting each one sets. */
const FIELDS = {
  url: "url",
  accessKey: "accessKey",
  secretKey: "secretKey",
  environment: "environment",
} as const satisfies Partial<Record<SettingName, string>>;

/** The fields of one server of the 2.x CLI's `cli2.json` (written by `rancher login`). */
interface Cli2Server {
  url?: unknown;
  tokenKey?: unknown;
  accessKey?: unknown;
  secretKey?: unknown;
  /** The CLI's current project, `c-xxxxx:p-xxxxx`: its cluster is the one the user works in. */
  project?: unknown;
  cacert?: unknown;
}

/**
 * `~/.rancher/cli.json` (1.x CLI) or `cli2.json` (2.x CLI, in RANCHER_CONFIG_DIR when set), whichever exists;
 * when both do, the user must say which.
 */
export function defaultRancherCliConfig(env: Env): string {
  const v1 = join(env.HOME || homedir(), ".rancher", "cli.json");
  const v2 = join(env.RANCHER_CONFIG_DIR || join(env.HOME || homedir(), ".rancher"), "cli2.json");
  const present = [v1, v2].filter((path) => existsSync(path));
  if (present.length === 1) return present[0]!;
  throw new EnrollError(
    "usage",
    present.length ? `both ${v1} and ${v2} exist` : `no Rancher CLI configuration at ${v1} or ${v2}`,
    "Give the one to import: --import-rancher-cli FILE.",
  );
}

/** The settings a Rancher CLI configuration holds; empty fields are left out. */
export function readRancherCliConfig(path: string, warn: (message: string) => void): Map<SettingName, Found> {
  const { text, stats } = read(path);
  refuseUnsafe(path, stats);
  const config = parse(path, text);
  const found = "Servers" in config ? fromCli2(path, config, warn) : fromCli(path, config);
  if (found.has("secretKey") || found.has("token")) {
    if ((stats.mode & 0o077) !== 0)
      warn(`${path} holds an API secret and group or others may read it; consider \`chmod 600 ${path}\``);
  }
  return found;
}

/** As for our own profile files: a file another user could have written decides where the secret would go. */
function refuseUnsafe(path: string, stats: Stats): void {
  const problem = unsafeOwnership(stats, trustedOwners());
  if (!problem) return;
  throw new EnrollError(
    "usage",
    `cannot import ${path}: it is ${problem}; refusing to use it, as another user could have written it`,
    `It decides where the API secret is sent: check its content, then run \`${safeOwnershipCommand(path)}\`.`,
  );
}

function fromCli(path: string, config: Record<string, unknown>): Map<SettingName, Found> {
  const found = new Map<SettingName, Found>();
  for (const [name, field] of Object.entries(FIELDS) as [SettingName, string][]) {
    const value = text(path, config, field, field);
    if (value) found.set(name, { text: value, origin: { source: "rancher-cli", field, path } });
  }
  if (found.size === 0) throw invalid(path, `it sets none of ${Object.values(FIELDS).join(", ")}`);
  return found;
}

/** The current server of a 2.x CLI configuration: its URL, its token, and the cluster of its current project. */
function fromCli2(path: string, config: Record<string, unknown>, warn: (message: string) => void) {
  const servers = config.Servers;
  const current = typeof config.CurrentServer === "string" ? config.CurrentServer : "rancherDefault";
  const server = (typeof servers === "object" && servers !== null ? servers : {}) as Record<string, unknown>;
  const chosen = server[current];
  if (typeof chosen !== "object" || chosen === null)
    throw invalid(path, `it has no server "${current}" (its CurrentServer)`);
  const prefix = `Servers.${current}.`;
  const field = (name: keyof Cli2Server) =>
    text(path, chosen as Record<string, unknown>, name, prefix + name);
  const found = new Map<SettingName, Found>();
  const add = (name: SettingName, value: string | undefined, from: keyof Cli2Server) => {
    if (value)
      found.set(name, { text: value, origin: { source: "rancher-cli", field: prefix + from, path } });
  };
  add("url", field("url"), "url");
  const [accessKey, secretKey] = [field("accessKey"), field("secretKey")];
  if (field("tokenKey")) add("token", field("tokenKey"), "tokenKey");
  else if (accessKey && secretKey) add("token", `${accessKey}:${secretKey}`, "secretKey");
  add("cluster", field("project")?.split(":")[0], "project");
  if (!found.has("url") && !found.has("token"))
    throw invalid(path, `its server "${current}" has no url and no token`);
  if (field("cacert"))
    warn(
      `${path} holds a CA certificate (${prefix}cacert) that is not imported: save it in a file and set ca_cert`,
    );
  return found;
}

function text(path: string, record: Record<string, unknown>, key: string, field: string): string | undefined {
  const value = record[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw invalid(path, `its field "${field}" is not a string`);
  return value;
}

/** The Rancher CLI's files are a few lines per server; the cap only keeps a wrong path from filling memory. */
const MAX_CLI_CONFIG_BYTES = 1024 * 1024;

function read(path: string): { text: string; stats: Stats } {
  try {
    return readRegularFile(path, MAX_CLI_CONFIG_BYTES);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new EnrollError(
      "usage",
      code === "ENOENT" ? `no Rancher CLI configuration at ${path}` : `cannot read ${path}: ${message}`,
      "Give its path: --import-rancher-cli FILE.",
    );
  }
}

function parse(path: string, text: string): Record<string, unknown> {
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (error) {
    throw invalid(path, `it is not JSON (${(error as Error).message})`);
  }
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw invalid(path, "it is not a JSON object");
  }
  return config as Record<string, unknown>;
}

function invalid(path: string, why: string): EnrollError {
  return new EnrollError(
    "usage",
    `cannot import ${path}: ${why}`,
    'Expected the Rancher 1.x CLI\'s cli.json {"url", "accessKey", "secretKey", "environment"}, or the 2.x ' +
      'CLI\'s cli2.json {"Servers": {…}, "CurrentServer"}.',
  );
}
