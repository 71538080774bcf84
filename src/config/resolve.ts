import { EnrollError } from "../errors.js";
import type { Env } from "./profile-files.js";
import type { Profile } from "./profile.js";
import {
  flagAttribute,
  setting,
  type Setting,
  type SettingName,
  type SettingValue,
} from "./setting-table.js";

/** Where a value came from. */
export type Origin =
  | { source: "flag"; flag: string }
  | { source: "env"; variable: string }
  | { source: "profile"; profile: string; key: string; path: string; line: number }
  | { source: "rancher-cli"; field: string; path: string }
  | { source: "enrollment"; path: string }
  | { source: "default" };

export interface Found {
  text: string;
  origin: Origin;
}

export interface Sources {
  /** Options as commander hands them over. */
  flags: object;
  env: Env;
  profile: Profile;
  warn: (message: string) => void;
  /** What this machine's enrollment record holds (`status`, `down`): values by setting key, after the profile's. */
  recorded?: Recorded;
}

export interface Recorded {
  values: Readonly<Record<string, string | undefined>>;
  path: string;
}

export interface Resolved<T> {
  value: T;
  origin: Origin;
}

/** Flags, then environment variables, then the profile, then the fallback. */
export function resolveSettings<N extends SettingName>(
  names: readonly N[],
  sources: Sources,
): { [K in N]: SettingValue<K> } {
  const values: Partial<Record<SettingName, unknown>> = {};
  for (const name of names) {
    const item = setting(name);
    const resolved = resolveSetting(item, sources);
    if (!resolved && item.required) throw missing(item, sources.profile);
    values[name] = resolved?.value;
  }
  return values as { [K in N]: SettingValue<K> };
}

export function resolveSetting<T>(item: Setting<T>, sources: Sources): Resolved<T> | undefined {
  const found =
    fromFlagOrEnv(item, sources) ?? fromProfile(item, sources.profile) ?? fromRecord(item, sources.recorded);
  if (found) return { value: parseFound(item, found), origin: found.origin };
  return item.fallback === undefined ? undefined : { value: item.fallback, origin: { source: "default" } };
}

export function fromFlagOrEnv(
  item: Setting<unknown>,
  { flags, env, profile, warn }: Sources,
): Found | undefined {
  const text = flagText(item, (flags as Record<string, unknown>)[flagAttribute(item.flag)]);
  if (text !== undefined) {
    if (item.credential === "hidden") {
      warn(
        `${item.flag} leaves the secret in shell history and the process list; prefer ${item.env} or a profile`,
      );
    }
    return { text, origin: { source: "flag", flag: item.flag } };
  }
  const value = item.env ? env[item.env] : undefined;
  if (!item.env || !value) return undefined;
  if (profile.chosenBy && profile.get(item)) {
    warn(`${item.env} overrides ${item.key} of profile "${profile.name}" (chosen by ${profile.chosenBy})`);
  }
  return { text: value, origin: { source: "env", variable: item.env } };
}

export function fromProfile(item: Setting<unknown>, profile: Profile): Found | undefined {
  const entry = profile.get(item);
  if (!entry) return undefined;
  const { value: text, path, line } = entry;
  return { text, origin: { source: "profile", profile: profile.name, key: item.key, path, line } };
}

function fromRecord(item: Setting<unknown>, recorded: Recorded | undefined): Found | undefined {
  const text = recorded?.values[item.key];
  return text ? { text, origin: { source: "enrollment", path: recorded.path } } : undefined;
}

function flagText(item: Setting<unknown>, value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value === true && !item.argument) return "true";
  if (Array.isArray(value) && value.length > 0 && item.joinFlagValues) return item.joinFlagValues(value);
  return undefined;
}

/** Parses with the name the user knows the value by, and says where a rejected value came from. */
export function parseFound<T>(item: Setting<T>, { text, origin }: Found): T {
  try {
    return item.parse(text, originName(origin));
  } catch (error) {
    if (!(error instanceof EnrollError) || origin.source === "flag") throw error;
    throw new EnrollError(error.kind, `${error.message} (from ${describeOrigin(origin)})`, error.hint, {
      cause: error,
    });
  }
}

export function describeOrigin(origin: Origin): string {
  switch (origin.source) {
    case "flag":
      return origin.flag;
    case "env":
      return origin.variable;
    case "profile":
      return `profile "${origin.profile}", ${origin.path} line ${origin.line}`;
    case "rancher-cli":
      return `${origin.field} in ${origin.path}`;
    case "enrollment":
      return `the enrollment record ${origin.path}`;
    case "default":
      return "default";
  }
}

/** The name a value goes by where it was set, for the parser's messages. */
function originName(origin: Origin): string {
  if (origin.source === "profile") return origin.key;
  if (origin.source === "rancher-cli") return origin.field;
  return describeOrigin(origin);
}

/** Every place the setting could come from, in order of precedence. */
export function placesFor(item: Setting<unknown>, profile: Profile): string[] {
  return [
    `pass ${item.flag}`,
    ...(item.env ? [`set ${item.env}`] : []),
    `set ${item.key} in profile "${profile.name}" of ${profile.pathFor(item)}`,
  ];
}

export function missing(item: Setting<unknown>, profile: Profile): EnrollError {
  const places = placesFor(item, profile);
  const last = places.pop();
  const hint = `${places.join(", ")} or ${last} (\`rancher-enroll configure\` writes profiles).`;
  return new EnrollError(
    "usage",
    `${item.description} is not set`,
    hint.charAt(0).toUpperCase() + hint.slice(1),
  );
}
