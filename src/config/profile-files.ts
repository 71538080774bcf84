import { mkdirSync, type Stats } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { EnrollError } from "../errors.js";
import {
  readRegularFile,
  safeOwnershipCommand,
  trustedOwners,
  unsafeOwnership,
  writeFileAtomically,
} from "../local-files.js";
import {
  formatProfileFile,
  parseProfileFile,
  type FileKind,
  type ProfileEntry,
  type ProfileSections,
} from "./profile-parse.js";

export type Env = Readonly<Record<string, string | undefined>>;

export interface ProfilePaths {
  readonly config: string;
  readonly credentials: string;
}

export const PATH_VARIABLES: Readonly<Record<FileKind, string>> = {
  config: "RANCHER_ENROLL_CONFIG_FILE",
  credentials: "RANCHER_ENROLL_CREDENTIALS_FILE",
};

export const SYSTEM_DIRECTORY = "/etc/rancher-enroll";
export const USER_DIRECTORY = ".rancher-enroll";

/**
 * Where the profile files are: the two variables when set, else /etc/rancher-enroll for root (cloud-init runs as
 * root, and a system-wide file is root's to write), else ~/.rancher-enroll. One place at a time: nothing is merged.
 */
export function profilePaths(env: Env, uid = process.getuid?.()): ProfilePaths {
  const directory = uid === 0 ? SYSTEM_DIRECTORY : join(env.HOME || homedir(), USER_DIRECTORY);
  return {
    config: env[PATH_VARIABLES.config] || join(directory, "config"),
    credentials: env[PATH_VARIABLES.credentials] || join(directory, "credentials"),
  };
}

export interface ProfileFile {
  readonly kind: FileKind;
  readonly path: string;
  readonly exists: boolean;
  readonly profiles: ProfileSections;
}

/** The two profile files, each read on first use, so that a command given every setting reads neither. */
export class ProfileFiles {
  private readonly loaded = new Map<FileKind, ProfileFile>();

  constructor(readonly paths: ProfilePaths) {}

  read(kind: FileKind): ProfileFile {
    let file = this.loaded.get(kind);
    if (!file) {
      file = readProfileFile(kind, this.paths[kind]);
      this.loaded.set(kind, file);
    }
    return file;
  }

  /** Every profile either file names, `default` first. */
  names(): string[] {
    const names = new Set([
      ...this.read("config").profiles.keys(),
      ...this.read("credentials").profiles.keys(),
    ]);
    return [...names].sort((a, b) => (a === "default" ? -1 : b === "default" ? 1 : a.localeCompare(b)));
  }

  /** Sets keys of one profile in one file, keeping everything else the file holds. */
  update(kind: FileKind, profile: string, values: ReadonlyMap<string, string>): void {
    const file = this.read(kind);
    const profiles = new Map(file.profiles);
    const entries = new Map<string, ProfileEntry>(profiles.get(profile));
    for (const [key, value] of values) entries.set(key, { value, line: 0 });
    profiles.set(profile, entries);
    writeAtomically(file.path, formatProfileFile(kind, profiles), kind === "credentials" ? 0o600 : 0o644);
    this.loaded.delete(kind);
  }
}

function readProfileFile(kind: FileKind, path: string): ProfileFile {
  const text = readIfPresent(kind, path);
  const profiles = text === undefined ? new Map() : parseProfileFile(text, path, kind);
  return { kind, path, exists: text !== undefined, profiles };
}

/** Profile files are a few lines; the cap only keeps a wrong path from filling memory. */
const MAX_PROFILE_FILE_BYTES = 1024 * 1024;

function readIfPresent(kind: FileKind, path: string): string | undefined {
  try {
    const { text, stats } = readRegularFile(path, MAX_PROFILE_FILE_BYTES);
    refuseUnsafe(kind, path, stats);
    return text;
  } catch (error) {
    if (error instanceof EnrollError) throw error;
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === "ENOENT") return undefined;
    throw new EnrollError(
      "usage",
      `cannot read the ${kind} file ${path}: ${message}`,
      `Run as a user who may read it, or point ${PATH_VARIABLES[kind]} at another file.`,
    );
  }
}

/**
 * As ssh does: the files decide where the secret is sent and hold it, so a file another user could have written
 * (or, for the credentials, could read) is refused, with the command that makes it safe.
 */
function refuseUnsafe(kind: FileKind, path: string, stats: Stats): void {
  const mode = (stats.mode & 0o777).toString(8).padStart(4, "0");
  if (kind === "credentials" && stats.mode & 0o077)
    throw new EnrollError(
      "usage",
      `the credentials file ${path} is accessible by group or others (mode ${mode}); refusing to use it`,
      `It holds API secrets: run \`chmod 600 ${path}\` (and consider rotating the keys it holds).`,
    );
  const problem = unsafeOwnership(stats, trustedOwners());
  if (!problem) return;
  throw new EnrollError(
    "usage",
    `the ${kind} file ${path} is ${problem}; refusing to use it, as another user could have written it`,
    `It decides where the API secret is sent: check its content, then run \`${safeOwnershipCommand(path)}\`.`,
  );
}

/** Readers see the old file or the new one, never a half-written one; a new credentials file is never open. */
function writeAtomically(path: string, text: string, mode: number): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileAtomically(path, text, mode);
  } catch (error) {
    const { message } = error as Error;
    throw new EnrollError("usage", `cannot write ${path}: ${message}`, "Check the directory's permissions.");
  }
}
