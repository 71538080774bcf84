import { EnrollError } from "../errors.js";
import { parseServerUrl } from "./server-url.js";
import { parseLabels, parsePositiveSeconds, validateAgentIp } from "./validate.js";

export type OutputFormat = "text" | "json";

export interface ServerSettings {
  url: string;
  projectHint?: string;
  accessKey: string;
  secretKey: string;
}

export interface UpSettings {
  server: ServerSettings;
  environment?: string;
  labels: Record<string, string>;
  agentIp?: string;
  timeoutSeconds: number;
  dryRun: boolean;
}

/** Options as commander hands them over; every field is optional text. */
export interface ServerFlags {
  url?: string;
  accessKey?: string;
  secretKey?: string;
}

export interface UpFlags extends ServerFlags {
  environment?: string;
  label?: string[];
  agentIp?: string;
  timeout?: string;
  dryRun?: boolean;
}

export const DEFAULT_TIMEOUT_SECONDS = 600;

type Env = Readonly<Record<string, string | undefined>>;

export function resolveServerSettings(
  flags: ServerFlags,
  env: Env,
  warn: (message: string) => void,
): ServerSettings {
  const url = flags.url ?? env.RANCHER_URL;
  if (!url) throw missing("the Rancher server URL", "--url", "RANCHER_URL");
  const accessKey = flags.accessKey ?? env.RANCHER_ACCESS_KEY;
  if (!accessKey) throw missing("the API access key", "--access-key", "RANCHER_ACCESS_KEY");
  const secretKey = flags.secretKey ?? env.RANCHER_SECRET_KEY;
  if (!secretKey) throw missing("the API secret key", "--secret-key", "RANCHER_SECRET_KEY");
  if (flags.secretKey) {
    warn("--secret-key leaves the secret in shell history and the process list; prefer RANCHER_SECRET_KEY");
  }
  const { base, projectHint } = parseServerUrl(url);
  return { url: base, accessKey, secretKey, ...(projectHint ? { projectHint } : {}) };
}

export function resolveUpSettings(flags: UpFlags, env: Env, warn: (message: string) => void): UpSettings {
  const environment = flags.environment ?? env.RANCHER_ENVIRONMENT;
  if (environment !== undefined && environment.trim() === "") {
    throw new EnrollError(
      "usage",
      "the environment is empty",
      "Give an environment name or id, e.g. --environment Default.",
    );
  }
  const agentIp = flags.agentIp === undefined ? undefined : validateAgentIp(flags.agentIp);
  return {
    server: resolveServerSettings(flags, env, warn),
    labels: parseLabels(flags.label ?? []),
    timeoutSeconds: flags.timeout
      ? parsePositiveSeconds("--timeout", flags.timeout)
      : DEFAULT_TIMEOUT_SECONDS,
    dryRun: flags.dryRun ?? false,
    ...(environment ? { environment: environment.trim() } : {}),
    ...(agentIp ? { agentIp } : {}),
  };
}

function missing(what: string, flag: string, variable: string): EnrollError {
  return new EnrollError("usage", `${what} is not set`, `Pass ${flag} or set ${variable}.`);
}
