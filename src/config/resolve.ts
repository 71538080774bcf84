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
  | { source: "answer"; prompt: string }
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
  /** The values `configure` is about to write, by setting key: before the profile's own (it checks them first). */
  pending?: ReadonlyMap<string, Found>;
}

export interface Recorded {
  values: Readonly<Record<string, string | undefined>>;
  path: string;
}

export interface Resolved<T> {
  value: T;
  origin: Origin;
}

/** A setting no source sets: a problem only once the command needs it (`status` needs no server settings). */
export class MissingSetting extends EnrollError {
  constructor(message: string, hint: string) {
    super("usage", message, hint);
  }
}

/** Every problem with a command's settings, reported at once (as kubeadm's preflight does), one per line. */
export class SettingsError extends EnrollError {
  constructor(readonly problems: readonly EnrollError[]) {
    const [only] = problems;
    super(
      "usage",
      problems.length === 1
        ? only!.message
        : `${problems.length} problems with the settings:\n${problems
            .map(({ message, hint }) => `- ${message}${hint ? `\n  ${hint}` : ""}`)
            .join("\n")}`,
      problems.length === 1
        ? only!.hint
        : "Fix each, then run the command again; `rancher-enroll settings` shows where each setting comes from.",
    );
  }

  /** Nothing is wrong with what was given: some settings are only missing. */
  get onlyMissing(): boolean {
    return this.problems.every((problem) => problem instanceof MissingSetting);
  }
}

/** Nothing given is wrong: the error says only that settings are missing. */
export function onlyMissing(error: unknown): boolean {
  return error instanceof MissingSetting || (error instanceof SettingsError && error.onlyMissing);
}

/** Gathers the usage errors of several checks, so that one run reports them all. */
export class Problems {
  private readonly found: EnrollError[] = [];

  get any(): boolean {
    return this.found.length > 0;
  }

  /** The check's value, or undefined when it found a problem (kept for `throwIfAny`). */
  attempt<T>(check: () => T): T | undefined {
    try {
      return check();
    } catch (error) {
      this.add(error);
      return undefined;
    }
  }

  add(error: unknown): void {
    if (error instanceof SettingsError) for (const problem of error.problems) this.addOne(problem);
    else if (error instanceof EnrollError && error.kind === "usage") this.addOne(error);
    else throw error;
  }

  /** A broken profile file is the same problem for every setting it holds: said once. */
  private addOne(problem: EnrollError): void {
    if (!this.found.some((known) => known.message === problem.message)) this.found.push(problem);
  }

  throwIfAny(): void {
    if (this.any) throw new SettingsError(this.found);
  }
}

/** Flags, then environment variables, then the profile, then the fallback; every problem gathered. */
export function resolveSettings<N extends SettingName>(
  names: readonly N[],
  sources: Sources,
  problems?: Problems,
): { [K in N]: SettingValue<K> } {
  const gathered = problems ?? new Problems();
  const values: Partial<Record<SettingName, unknown>> = {};
  for (const name of names) {
    const item = setting(name);
    gathered.attempt(() => {
      const resolved = resolveSetting(item, sources);
      if (!resolved && item.required) throw missing(item, sources.profile);
      values[name] = resolved?.value;
    });
  }
  if (!problems) gathered.throwIfAny();
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
  { flags, env, profile, warn, pending }: Sources,
): Found | undefined {
  const toWrite = pending?.get(item.key);
  if (toWrite) return toWrite;
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
    case "answer":
      return `the answer to "${origin.prompt}"`;
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
  return new MissingSetting(`${item.description} is not set`, hint.charAt(0).toUpperCase() + hint.slice(1));
}
