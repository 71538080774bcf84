import { EnrollError } from "../errors.js";
import type { CaCertificate } from "./ca-cert.js";
import { ProfileFiles, profilePaths, type Env, type ProfilePaths } from "./profile-files.js";
import { selectProfile } from "./profile.js";
import { placesFor, resolveSetting, resolveSettings, type Origin, type Sources } from "./resolve.js";
import {
  SERVER_SETTING_NAMES,
  setting,
  showValue,
  UP_SETTING_NAMES,
  type SettingName,
  type SettingValue,
} from "./setting-table.js";

export interface ServerSettings {
  url: string;
  projectHint?: string;
  accessKey: string;
  secretKey: string;
  caCert?: CaCertificate;
  /** Our own API calls skip certificate verification. */
  insecure: boolean;
}

export interface UpSettings {
  server: ServerSettings;
  environment?: string;
  labels: Record<string, string>;
  agentIp?: string;
  agentInterface?: string;
  timeoutSeconds: number;
  waitForDockerSeconds: number;
  dryRun: boolean;
}

/** Options as commander hands them over; every field is optional text. */
export interface ServerFlags {
  profile?: string;
  url?: string;
  accessKey?: string;
  secretKey?: string;
  caCert?: string;
  insecure?: boolean;
}

export interface UpFlags extends ServerFlags {
  environment?: string;
  label?: string[];
  agentIp?: string;
  timeout?: string;
  dryRun?: boolean;
}

type Warn = (message: string) => void;

/**
 * Settings by name (see SETTINGS), each from the first of: its flag, its environment variable, the profile
 * (`--profile`, else RANCHER_PROFILE, else `default`), its fallback. A missing required setting is a usage error.
 */
export function resolveNamedSettings<N extends SettingName>(
  names: readonly N[],
  flags: ServerFlags,
  env: Env,
  warn: Warn,
): { [K in N]: SettingValue<K> } {
  return resolveSettings(names, settingSources(flags, env, warn));
}

export function resolveServerSettings(flags: ServerFlags, env: Env, warn: Warn): ServerSettings {
  return serverSettings(resolveNamedSettings(SERVER_SETTING_NAMES, flags, env, warn));
}

export function resolveUpSettings(flags: UpFlags, env: Env, warn: Warn): UpSettings {
  const values = resolveNamedSettings(UP_SETTING_NAMES, flags, env, warn);
  if (values.agentIp && values.agentInterface) {
    throw new EnrollError(
      "usage",
      "both an agent IP and an agent interface are set",
      "Keep one of --agent-ip and --agent-interface.",
    );
  }
  return {
    server: serverSettings(values),
    labels: values.labels,
    timeoutSeconds: values.timeout,
    waitForDockerSeconds: values.waitForDocker,
    dryRun: flags.dryRun ?? false,
    ...(values.environment ? { environment: values.environment } : {}),
    ...(values.agentIp ? { agentIp: values.agentIp } : {}),
    ...(values.agentInterface ? { agentInterface: values.agentInterface } : {}),
  };
}

export interface EffectiveSetting {
  key: string;
  /** As shown to people: credentials masked. Absent when no source sets it. */
  value?: string;
  origin?: Origin;
  /** For a setting no source sets: where it could come from, and whether the command needs it. */
  places?: string[];
  required?: boolean;
}

export interface EffectiveSettings {
  profile: { name: string; chosenBy?: string };
  files: ProfilePaths;
  settings: EffectiveSetting[];
}

/** What a command would use, and where each value comes from; values are checked as a command checks them. */
export function effectiveSettings(
  names: readonly SettingName[],
  flags: ServerFlags,
  env: Env,
  warn: Warn,
): EffectiveSettings {
  const sources = settingSources(flags, env, warn);
  const { profile } = sources;
  const settings = names.map((name): EffectiveSetting => {
    const item = setting(name);
    const resolved = resolveSetting(item, sources);
    if (!resolved) return { key: item.key, places: placesFor(item, profile), required: item.required };
    return { key: item.key, value: showValue(item, resolved.value), origin: resolved.origin };
  });
  return {
    profile: { name: profile.name, ...(profile.chosenBy ? { chosenBy: profile.chosenBy } : {}) },
    files: profile.files.paths,
    settings,
  };
}

function settingSources(flags: ServerFlags, env: Env, warn: Warn): Sources {
  const profile = selectProfile(flags.profile, env, new ProfileFiles(profilePaths(env)));
  return { flags, env, profile, warn };
}

function serverSettings({
  url,
  accessKey,
  secretKey,
  caCert,
  insecure,
}: { [K in (typeof SERVER_SETTING_NAMES)[number]]: SettingValue<K> }): ServerSettings {
  return {
    url: url.base,
    ...(url.projectHint ? { projectHint: url.projectHint } : {}),
    accessKey,
    secretKey,
    ...(caCert ? { caCert } : {}),
    insecure,
  };
}
