import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { EnrollError } from "../errors.js";
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

export function defaultRancherCliConfig(env: Env): string {
  return join(env.HOME || homedir(), ".rancher", "cli.json");
}

/** The settings a Rancher 1.x CLI configuration holds; empty fields are left out. */
export function readRancherCliConfig(path: string, warn: (message: string) => void): Map<SettingName, Found> {
  const config = parse(path, read(path));
  const found = new Map<SettingName, Found>();
  for (const [name, field] of Object.entries(FIELDS) as [SettingName, string][]) {
    const value = config[field];
    if (value === undefined || value === "") continue;
    if (typeof value !== "string") throw invalid(path, `its field "${field}" is not a string`);
    found.set(name, { text: value, origin: { source: "rancher-cli", field, path } });
  }
  if (found.size === 0) throw invalid(path, `it sets none of ${Object.values(FIELDS).join(", ")}`);
  if (found.has("secretKey") && (statSync(path).mode & 0o077) !== 0) {
    warn(`${path} holds an API secret and group or others may read it; consider \`chmod 600 ${path}\``);
  }
  return found;
}

function read(path: string): string {
  try {
    return readFileSync(path, "utf8");
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
  if ("Servers" in config) {
    throw invalid(
      path,
      "it is a Rancher 2.x CLI configuration (cli2.json), which has no environment API keys",
    );
  }
  return config as Record<string, unknown>;
}

function invalid(path: string, why: string): EnrollError {
  return new EnrollError(
    "usage",
    `cannot import ${path}: ${why}`,
    'Expected the Rancher 1.x CLI\'s cli.json: {"url", "accessKey", "secretKey", "environment"}.',
  );
}
