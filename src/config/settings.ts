import { EnrollError } from "../errors.js";
import type { Wanted } from "../flows/seam.js";
import type { CaCertificate } from "./ca-cert.js";
import { resolveCredentials, type ApiCredentials } from "./credentials.js";
import type { ApiVersion } from "./server-url.js";
import { ProfileFiles, profilePaths, type Env, type ProfilePaths } from "./profile-files.js";
import { selectProfile, type Profile } from "./profile.js";
import type { Role, WaitFor } from "./node-options.js";
import {
  describeOrigin,
  fromFlagOrEnv,
  fromProfile,
  placesFor,
  Problems,
  resolveSetting,
  resolveSettings,
  type Found,
  type Origin,
  type Sources,
} from "./resolve.js";
import {
  NODE_SETTING_NAMES,
  SERVER_SETTING_NAMES,
  SETTINGS,
  setting,
  showValue,
  UP_SETTING_NAMES,
  type SettingName,
  type SettingValue,
} from "./setting-table.js";

export interface ServerSettings {
  url: string;
  projectHint?: string;
  credentials: ApiCredentials;
  /** Where the credentials came from, for the message when the server refuses them. */
  credentialsFrom: string;
  /** The API version the URL's path named, if any. */
  apiVersion?: ApiVersion;
  caCert?: CaCertificate;
  /** 2.x: trust the server only if the checksum of the CA it publishes is this one (`--ca-checksum`). */
  caChecksum?: string;
  /** Our own API calls skip certificate verification. */
  insecure: boolean;
}

export interface UpSettings {
  server: ServerSettings;
  /** The profile named by `--profile` or RANCHER_PROFILE, recorded with the enrollment (never its secrets). */
  profile?: string;
  environment?: string;
  /** The Rancher 2.x word for the target (`--cluster`). */
  cluster?: string;
  /** Where the environment or cluster came from (a flag, a variable, a profile's file and line), for hints. */
  targetFrom?: string;
  labels: Record<string, string>;
  agentIp?: string;
  agentInterface?: string;
  /** Rancher 2.x: how the node joins its cluster, and what `up` waits for. */
  node: NodeSettings;
  /** The flags of the 2.x node settings that a flag or the profile set (on 1.6 they are a usage error). */
  nodeFlagsGiven: string[];
  timeoutSeconds: number;
  waitForDockerSeconds: number;
  dryRun: boolean;
}

export interface NodeSettings {
  roles: Role[];
  nodeName?: string;
  address?: string;
  internalAddress?: string;
  taints: string[];
  /** `registered`: the node exists and its Registered condition is true; `active`: state active and Ready. */
  waitFor: WaitFor;
}

/** Options as commander hands them over; every field is optional text. */
export interface ServerFlags {
  profile?: string;
  url?: string;
  token?: string;
  accessKey?: string;
  secretKey?: string;
  caCert?: string;
  insecure?: boolean;
  caChecksum?: string;
}

export interface UpFlags extends ServerFlags {
  environment?: string;
  cluster?: string;
  label?: string[];
  agentIp?: string;
  role?: string[];
  nodeName?: string;
  address?: string;
  internalAddress?: string;
  taint?: string[];
  waitFor?: string;
  timeout?: string;
  dryRun?: boolean;
}

type Warn = (message: string) => void;

/** What `status` and `down` fall back on, from this machine's enrollment record: its server and profile. */
export interface RecordedSettings {
  server: string;
  profile?: string;
  /** The record's file, to say where a value came from. */
  path: string;
}

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

export function resolveServerSettings(
  flags: ServerFlags,
  env: Env,
  warn: Warn,
  recorded?: RecordedSettings,
): ServerSettings {
  const sources = settingSources(flags, env, warn, recorded);
  const problems = new Problems();
  const server = serverOf(sources, problems);
  problems.throwIfAny();
  return server!;
}

/**
 * What `configure` checks before it writes: the server and the target that the profile will give once the
 * `pending` values are written into it, over its own (variables count only as `pending`, taken with --from-env).
 */
export function resolvePendingProfile(
  profile: Profile,
  pending: ReadonlyMap<string, Found>,
): { server: ServerSettings; wanted?: Wanted } {
  const sources: Sources = { flags: {}, env: {}, profile, warn: () => undefined, pending };
  const problems = new Problems();
  const target = resolveSettings(["environment", "cluster"], sources, problems);
  const server = serverOf(sources, problems);
  problems.throwIfAny();
  const targetFrom = targetOrigin(target, sources);
  const wanted = wantedTarget({
    ...(target.environment ? { environment: target.environment } : {}),
    ...(target.cluster ? { cluster: target.cluster } : {}),
    ...(targetFrom ? { targetFrom } : {}),
  });
  return { server: server!, ...(wanted ? { wanted } : {}) };
}

function serverOf(sources: Sources, problems: Problems): ServerSettings | undefined {
  const values = resolveSettings(withoutCredentials(SERVER_SETTING_NAMES), sources, problems);
  return serverSettings(values, sources, problems);
}

export function resolveUpSettings(flags: UpFlags, env: Env, warn: Warn): UpSettings {
  const sources = settingSources(flags, env, warn);
  const problems = new Problems();
  const values = resolveSettings(withoutCredentials(UP_SETTING_NAMES), sources, problems);
  if (values.agentIp && values.agentInterface) {
    problems.add(
      new EnrollError(
        "usage",
        "both an agent IP and an agent interface are set",
        "Keep one of --agent-ip and --agent-interface.",
      ),
    );
  }
  if (values.environment && values.cluster) {
    problems.add(
      new EnrollError(
        "usage",
        "both an environment (Rancher 1.6) and a cluster (Rancher 2.x) are set",
        "Keep the one of the server's line: --environment for 1.6, --cluster for 2.x.",
      ),
    );
  }
  const server = serverSettings(values, sources, problems);
  problems.throwIfAny();
  const targetFrom = targetOrigin(values, sources);
  return {
    server: server!,
    labels: values.labels,
    node: {
      roles: values.roles,
      taints: values.taints,
      waitFor: values.waitFor,
      ...(values.nodeName ? { nodeName: values.nodeName } : {}),
      ...(values.address ? { address: values.address } : {}),
      ...(values.internalAddress ? { internalAddress: values.internalAddress } : {}),
    },
    nodeFlagsGiven: givenFlags(NODE_SETTING_NAMES, sources),
    timeoutSeconds: values.timeout,
    waitForDockerSeconds: values.waitForDocker,
    dryRun: flags.dryRun ?? false,
    ...(sources.profile.chosenBy ? { profile: sources.profile.name } : {}),
    ...(targetFrom ? { targetFrom } : {}),
    ...(values.environment ? { environment: values.environment } : {}),
    ...(values.cluster ? { cluster: values.cluster } : {}),
    ...(values.agentIp ? { agentIp: values.agentIp } : {}),
    ...(values.agentInterface ? { agentInterface: values.agentInterface } : {}),
  };
}

/** The flags of those settings that a flag, a variable or the profile sets (not a fallback). */
function givenFlags(names: readonly SettingName[], sources: Sources): string[] {
  const quiet = { ...sources, warn: () => undefined };
  return names
    .map(setting)
    .filter((item) => fromFlagOrEnv(item, quiet) ?? fromProfile(item, sources.profile))
    .map((item) => item.flag);
}

/** The target as the user named it, under the word they used: the driver refuses the other line's word. */
export function wantedTarget(
  settings: Pick<UpSettings, "environment" | "cluster" | "targetFrom">,
): Wanted | undefined {
  const from = settings.targetFrom ? { from: settings.targetFrom } : {};
  if (settings.cluster) return { nameOrId: settings.cluster, word: "cluster", ...from };
  return settings.environment ? { nameOrId: settings.environment, word: "environment", ...from } : undefined;
}

/** Where the target's name came from, for the hints of a target not found. */
function targetOrigin(
  values: { environment?: string; cluster?: string },
  sources: Sources,
): string | undefined {
  const name = values.cluster ? "cluster" : values.environment ? "environment" : undefined;
  const resolved = name && resolveSetting(setting(name), { ...sources, warn: () => undefined });
  return resolved ? describeOrigin(resolved.origin) : undefined;
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

function settingSources(flags: ServerFlags, env: Env, warn: Warn, recorded?: RecordedSettings): Sources {
  const from = recorded && `the enrollment record ${recorded.path}`;
  const recordedProfile = recorded?.profile && from ? { name: recorded.profile, from } : undefined;
  const profile = selectProfile(flags.profile, env, new ProfileFiles(profilePaths(env)), recordedProfile);
  return {
    flags,
    env,
    profile,
    warn,
    ...(recorded
      ? { recorded: { values: { [SETTINGS.url.key]: recorded.server }, path: recorded.path } }
      : {}),
  };
}

/** `--ca-checksum` decides which CA our calls trust: neither another CA nor no verification can stand beside it. */
function onlyTrust(caChecksum: string, caCert: CaCertificate | undefined, insecure: boolean): string {
  if (!caCert && !insecure) return caChecksum;
  throw new EnrollError(
    "usage",
    `--ca-checksum pins the server's CA, and ${caCert ? "--ca-cert names another" : "--insecure turns verification off"}`,
    "Keep --ca-checksum alone: the CA the server publishes is trusted if its checksum matches.",
  );
}

/** The credentials are resolved together: a token, or an access and secret key pair. */
const CREDENTIAL_NAMES: readonly SettingName[] = ["token", "accessKey", "secretKey"];

function withoutCredentials<N extends SettingName>(
  names: readonly N[],
): Exclude<N, "token" | "accessKey" | "secretKey">[] {
  return names.filter((name) => !CREDENTIAL_NAMES.includes(name)) as Exclude<
    N,
    "token" | "accessKey" | "secretKey"
  >[];
}

/** The server's settings, once every problem with them is gathered in `problems`: undefined if there is one. */
function serverSettings(
  {
    url,
    caCert,
    insecure,
    caChecksum,
  }: { [K in "url" | "caCert" | "insecure" | "caChecksum"]: SettingValue<K> },
  sources: Sources,
  problems: Problems,
): ServerSettings | undefined {
  const found = problems.attempt(() => resolveCredentials(sources));
  const pinned = caChecksum && problems.attempt(() => onlyTrust(caChecksum, caCert, insecure));
  if (!found || problems.any) return undefined;
  const { credentials, from } = found;
  return {
    url: url.base,
    ...(url.projectHint ? { projectHint: url.projectHint } : {}),
    credentials,
    credentialsFrom: from,
    ...(url.apiVersion ? { apiVersion: url.apiVersion } : {}),
    ...(caCert ? { caCert } : {}),
    ...(pinned ? { caChecksum: pinned } : {}),
    insecure,
  };
}
