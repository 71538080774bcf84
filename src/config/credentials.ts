import { EnrollError } from "../errors.js";
import {
  describeOrigin,
  fromFlagOrEnv,
  missing,
  MissingSetting,
  parseFound,
  fromProfile,
  type Origin,
  type Resolved,
  type Sources,
} from "./resolve.js";
import { SETTINGS, type Setting } from "./setting-table.js";

/** An API key pair (HTTP Basic; on 2.x, the two halves of a token) or a Rancher 2.x API token (Bearer). */
export type ApiCredentials = { accessKey: string; secretKey: string } | { token: string };

export interface FoundCredentials {
  credentials: ApiCredentials;
  /** Where they came from, for the message when the server refuses them: `RANCHER_TOKEN`, a profile and its file. */
  from: string;
}

const PRECEDENCE: Record<Origin["source"], number> = {
  flag: 0,
  answer: 0,
  env: 1,
  profile: 2,
  "rancher-cli": 3,
  enrollment: 4,
  default: 5,
};

/**
 * The token, or the access and secret keys: whichever comes from the nearer source (a flag, then a variable,
 * then the profile); the token when both come from the same kind of source. The profile's credentials file is
 * not read when flags or variables give them.
 */
export function resolveCredentials(sources: Sources): FoundCredentials {
  const direct = <T>(item: Setting<T>) => {
    const found = fromFlagOrEnv(item, sources);
    return found && { value: parseFound(item, found), origin: found.origin };
  };
  const given = [direct(SETTINGS.token), direct(SETTINGS.accessKey), direct(SETTINGS.secretKey)] as const;
  const chosen = choose(...given, sources);
  if (chosen) return chosen;
  const inProfile = <T>(item: Setting<T>) => {
    const found = fromProfile(item, sources.profile);
    return found && { value: parseFound(item, found), origin: found.origin };
  };
  const [token, accessKey, secretKey] = [
    given[0] ?? inProfile(SETTINGS.token),
    given[1] ?? inProfile(SETTINGS.accessKey),
    given[2] ?? inProfile(SETTINGS.secretKey),
  ];
  const fromAll = choose(token, accessKey, secretKey, sources);
  if (fromAll) return fromAll;
  if (!accessKey && !secretKey) throw notSet(sources);
  throw missing(accessKey ? SETTINGS.secretKey : SETTINGS.accessKey, sources.profile);
}

type Found = Resolved<string> | undefined;

function choose(
  token: Found,
  accessKey: Found,
  secretKey: Found,
  sources: Sources,
): FoundCredentials | undefined {
  const pair = accessKey && secretKey ? Math.max(rank(accessKey), rank(secretKey)) : PRECEDENCE.default;
  if (token && rank(token) <= pair) {
    if (pair < PRECEDENCE.default)
      sources.warn(
        `both an API token and an access key pair are set: using the token (${describeOrigin(token.origin)})`,
      );
    return { credentials: { token: token.value }, from: describeOrigin(token.origin) };
  }
  if (!accessKey || !secretKey) return undefined;
  const from = [accessKey, secretKey].map((key) => describeOrigin(key.origin));
  return {
    credentials: { accessKey: accessKey.value, secretKey: secretKey.value },
    from: from[0] === from[1] ? from[0]! : from.join(" and "),
  };
}

function rank(resolved: { origin: Origin } | undefined): number {
  return resolved ? PRECEDENCE[resolved.origin.source] : PRECEDENCE.default;
}

function notSet({ profile }: Sources): EnrollError {
  return new MissingSetting(
    "the API credentials are not set",
    "Set RANCHER_TOKEN (a Rancher 2.x API token), or RANCHER_ACCESS_KEY and RANCHER_SECRET_KEY; or set token, or " +
      `access_key and secret_key, in profile "${profile.name}" of ${profile.files.paths.credentials} ` +
      "(`rancher-enroll configure` writes profiles).",
  );
}
