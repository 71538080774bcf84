import { EnrollError } from "../errors.js";
import { MissingSetting } from "./resolve.js";
import { ProfileFiles, type Env } from "./profile-files.js";
import { isProfileName, type FileKind, type ProfileEntry } from "./profile-parse.js";
import type { Setting } from "./setting-table.js";

export const PROFILE_VARIABLE = "RANCHER_PROFILE";
export const DEFAULT_PROFILE = "default";

export interface ProfileValue extends ProfileEntry {
  readonly path: string;
}

/** The profile a command reads: named by `--profile`, else by RANCHER_PROFILE, else `default`. */
export class Profile {
  constructor(
    readonly name: string,
    /** `--profile` or RANCHER_PROFILE; undefined for the implicit default, which need not exist. */
    readonly chosenBy: string | undefined,
    readonly files: ProfileFiles,
  ) {}

  /** The setting's value in this profile; an empty value counts as unset. */
  get(item: Setting<unknown>): ProfileValue | undefined {
    const file = this.files.read(fileOf(item));
    const entry = file.profiles.get(this.name)?.get(item.key);
    return entry && entry.value !== "" ? { ...entry, path: file.path } : undefined;
  }

  /** The file that would hold the setting. */
  pathFor(item: Setting<unknown>): string {
    return this.files.paths[fileOf(item)];
  }
}

export function fileOf(item: Setting<unknown>): FileKind {
  return item.credential ? "credentials" : "config";
}

/** A profile name a command falls back on, and what named it (the enrollment record, for `status` and `down`). */
export interface RecordedProfile {
  name: string;
  from: string;
}

/**
 * The profile named by `--profile`, else by RANCHER_PROFILE, else by the record, else `default`; a named
 * profile must exist.
 */
export function selectProfile(
  flag: string | undefined,
  env: Env,
  files: ProfileFiles,
  recorded?: RecordedProfile,
): Profile {
  const { name, chosenBy } = chooseProfile(flag, env, recorded);
  const profile = new Profile(name, chosenBy, files);
  if (chosenBy && !exists(profile)) throw unknownProfile(profile, chosenBy === recorded?.from);
  return profile;
}

export function chooseProfile(
  flag: string | undefined,
  env: Env,
  recorded?: RecordedProfile,
): { name: string; chosenBy?: string } {
  const chosenBy =
    flag !== undefined
      ? "--profile"
      : env[PROFILE_VARIABLE]
        ? PROFILE_VARIABLE
        : recorded
          ? recorded.from
          : undefined;
  const name = (flag ?? (env[PROFILE_VARIABLE] || undefined) ?? recorded?.name ?? DEFAULT_PROFILE).trim();
  if (!isProfileName(name)) {
    throw new EnrollError(
      "usage",
      `invalid profile name "${name}" (from ${chosenBy ?? "the default"})`,
      "A profile name holds only letters, digits, '-' and '_'.",
    );
  }
  return chosenBy ? { name, chosenBy } : { name };
}

function exists({ name, files }: Profile): boolean {
  return files.read("config").profiles.has(name) || files.read("credentials").profiles.has(name);
}

/** `recorded`: the enrollment record named it, nothing the user gave now: missing rather than wrong. */
function unknownProfile({ name, chosenBy, files }: Profile, recorded: boolean): EnrollError {
  const known = files.names();
  const { config, credentials } = files.paths;
  const message =
    `profile "${name}" (from ${chosenBy}) is not in ${config} or ${credentials}; ` +
    (known.length > 0 ? `known profiles: ${known.join(", ")}` : "no profile is defined there");
  const hint = `Create it with \`rancher-enroll configure --profile ${name}\`, or choose a known profile.`;
  return recorded ? new MissingSetting(message, hint) : new EnrollError("usage", message, hint);
}
