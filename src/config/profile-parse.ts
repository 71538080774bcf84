import ini from "ini";
import { EnrollError } from "../errors.js";
import { SETTING_NAMES, setting } from "./setting-table.js";

/** The credentials file holds the credentials (and is kept private), the config file everything else. */
export type FileKind = "config" | "credentials";

export interface ProfileEntry {
  readonly value: string;
  readonly line: number;
}

/** Profile name → setting key → value, as one file holds them. */
export type ProfileSections = ReadonlyMap<string, ReadonlyMap<string, ProfileEntry>>;

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const PROFILE_PREFIX = /^profile\s+/;

export function keysOf(kind: FileKind): string[] {
  return SETTING_NAMES.map(setting)
    .filter((item) => (item.credential ? "credentials" : "config") === kind)
    .map((item) => item.key);
}

export function isProfileName(name: string): boolean {
  return PROFILE_NAME.test(name);
}

/**
 * Reads a profile file: `[default]`, `[NAME]` or `[profile NAME]` sections of `key = value` lines. ini reads each
 * line (quotes, escapes, comments); this adds what ini lets pass silently: line numbers, unknown or misplaced keys,
 * keys set twice, lines that are neither a section nor a setting. Messages never quote a value: it may be a secret.
 */
export function parseProfileFile(text: string, path: string, kind: FileKind): ProfileSections {
  const profiles = new Map<string, Map<string, ProfileEntry>>();
  let current: { name: string; entries: Map<string, ProfileEntry> } | undefined;
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    const fail = (what: string) => malformed(path, index + 1, what);
    const parsed = ini.parse(line) as Record<string, unknown>;
    const [key] = Object.keys(parsed);
    if (key === undefined) continue;
    if (line.trimStart().startsWith("[")) {
      const name = sectionName(key, parsed[key]);
      if (name === undefined) throw fail(sectionProblem(line.trim()));
      const entries = profiles.get(name) ?? new Map<string, ProfileEntry>();
      profiles.set(name, entries);
      current = { name, entries };
      continue;
    }
    if (!line.includes("=")) throw fail("expected KEY = VALUE, or a [PROFILE] section header");
    if (!current) throw fail(`"${key}" comes before any [PROFILE] section header`);
    checkKey(key, parsed[key], kind, fail);
    const earlier = current.entries.get(key);
    if (earlier)
      throw fail(`${key} is set twice in profile "${current.name}" (first on line ${earlier.line})`);
    current.entries.set(key, { value: String(parsed[key]), line: index + 1 });
  }
  return profiles;
}

/** A file's text from its sections; the config file names them `[profile NAME]` as the AWS CLI does. */
export function formatProfileFile(kind: FileKind, profiles: ProfileSections): string {
  const sections: Record<string, Record<string, string>> = {};
  for (const [name, entries] of profiles) {
    const header = kind === "config" && name !== "default" ? `profile ${name}` : name;
    sections[header] = Object.fromEntries([...entries].map(([key, entry]) => [key, entry.value]));
  }
  return `${FILE_HEADERS[kind]}\n\n${ini.stringify(sections, { whitespace: true })}`;
}

const FILE_HEADERS: Record<FileKind, string> = {
  config: [
    "# rancher-enroll profiles: [default] and [profile NAME] sections of KEY = VALUE lines.",
    `# Keys: ${keysOf("config").join(", ")}. Credentials go in the credentials file.`,
    "# `rancher-enroll configure` rewrites this file and does not keep comments.",
  ].join("\n"),
  credentials: [
    "# rancher-enroll credentials: [NAME] sections (the profile names of the config file).",
    `# Keys: ${keysOf("credentials").join(", ")}. Keep this file private: chmod 600.`,
    "# `rancher-enroll configure` rewrites this file and does not keep comments.",
  ].join("\n"),
};

function sectionName(header: string, content: unknown): string | undefined {
  const isEmptySection = typeof content === "object" && content !== null && Object.keys(content).length === 0;
  if (!isEmptySection) return undefined;
  const name = header.replace(PROFILE_PREFIX, "").trim();
  return isProfileName(name) ? name : undefined;
}

function sectionProblem(header: string): string {
  if (/^\[[^\]]*\]\s*$/.test(header)) {
    return `${header} does not name a profile: a name holds only letters, digits, '-' and '_'`;
  }
  return `${header} is not a section header: write [NAME] or [profile NAME] alone on its line`;
}

function checkKey(key: string, value: unknown, kind: FileKind, fail: (what: string) => EnrollError): void {
  if (typeof value === "object" && value !== null) throw fail(`${key} must hold one value, not a list`);
  if (keysOf(kind).includes(key)) return;
  const other: FileKind = kind === "config" ? "credentials" : "config";
  if (keysOf(other).includes(key)) {
    throw fail(
      other === "credentials"
        ? `${key} belongs in the credentials file, which is kept private (mode 600), not in the config file`
        : `${key} belongs in the config file, not in the credentials file`,
    );
  }
  throw fail(`"${key}" is not a setting of the ${kind} file (known: ${keysOf(kind).join(", ")})`);
}

function malformed(path: string, line: number, what: string): EnrollError {
  return new EnrollError(
    "usage",
    `${path} line ${line}: ${what}`,
    "Fix or remove that line; `rancher-enroll configure` writes these files.",
  );
}
