import { ApiError } from "./errors.js";
import { basicCredentials, header, type Exchange } from "./http.js";
import { isProjectId } from "./ids.js";
import type { ApiRoute } from "./routes.js";
import { canAccessProject, type KeyRecord } from "./store.js";
import type { Token } from "./types.js";
import type { World } from "./world.js";

/** Cattle's default `api.auth.realm`. */
const REALM = "Enter API access key and secret key as username and password";
export const REGISTRATION_USER = "registrationToken";

export type Principal = { kind: "key"; key: KeyRecord } | { kind: "registration"; token: Token };

/** Who is calling and which project the request works in. */
export interface Scope {
  principal: Principal;
  /** Effective project; undefined for an account key used without a project. */
  projectId: string | undefined;
  /** Value of X-API-Account-Id. */
  accountId: string;
  /** Admin-only fields (e.g. host reportedUuid) are rendered. */
  admin: boolean;
}

export function authenticate(world: World, ex: Exchange): Principal {
  const credentials = basicCredentials(ex.headers);
  if (!credentials) throw unauthorized(ex);
  if (credentials.user === REGISTRATION_USER) {
    const token = activeToken(world, credentials.password);
    if (token) return { kind: "registration", token };
  }
  const key = world.store.findKey(credentials.user, credentials.password);
  if (key) return { kind: "key", key };
  throw unauthorized(ex);
}

export function unauthorized(ex: Exchange): ApiError {
  const challenge = header(ex.headers, "x-api-no-challenge")?.toLowerCase() === "true";
  return new ApiError(401, {}, challenge ? {} : { "WWW-Authenticate": `Basic realm="${REALM}"` });
}

/** A token string authenticates only while its credential is active. */
export function activeToken(world: World, tokenString: string): Token | undefined {
  return world.store.tokens.find((t) => t.token === tokenString && t.state === "active");
}

export function resolveScope(world: World, ex: Exchange, route: ApiRoute, principal: Principal): Scope {
  const requested = requestedProject(ex, route);
  if (principal.kind === "registration") {
    const projectId = principal.token.accountId;
    if (requested !== undefined && requested !== projectId) throw new ApiError(403);
    return { principal, projectId, accountId: projectId, admin: false };
  }
  const { key } = principal;
  if (requested !== undefined && !(world.store.projects.has(requested) && canAccessProject(key, requested))) {
    throw new ApiError(403);
  }
  const projectId = key.kind === "project" ? key.accountId : requested;
  return { principal, projectId, accountId: projectId ?? key.accountId, admin: key.admin };
}

/** Project named by path, else header X-API-Project-Id, else query projectId. */
function requestedProject(ex: Exchange, route: ApiRoute): string | undefined {
  const requested =
    route.pathProjectId ||
    header(ex.headers, "x-api-project-id") ||
    ex.url.searchParams.get("projectId") ||
    undefined;
  if (requested !== undefined && !isProjectId(requested)) throw new ApiError(400, { code: "InvalidFormat" });
  return requested;
}
