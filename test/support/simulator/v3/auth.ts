import { ApiError } from "../errors.js";
import { header, type Exchange } from "../http.js";
import type { ApiTokenRecord } from "./store.js";
import type { V3World } from "./world.js";

/**
 * Raised by the authentication filter: error shape 2 (a string `status`, no `code`), not norman's.
 * Its message is always "Unauthorized 401: must authenticate" (filter.go writes ErrMustAuthenticate).
 */
export class AuthFilterError extends ApiError {
  constructor() {
    super(401, { message: "Unauthorized 401: must authenticate" });
  }
}

/**
 * The API token of `Authorization: Bearer token-x:secret` (scheme case-insensitive) or
 * `Basic base64url(token-x:secret)`, else the `R_SESS` cookie. A cluster-scoped token only passes on paths
 * `/v3/clusters/<its id>/…` (or `/v3/cluster/…`, clusterrouter.GetClusterID).
 */
export function authenticate(world: V3World, ex: Exchange): ApiTokenRecord {
  const value = tokenAuthValue(ex);
  const colon = value.indexOf(":");
  if (colon <= 0 || colon === value.length - 1) throw new AuthFilterError();
  const token = world.store.findApiToken(value.slice(0, colon), value.slice(colon + 1));
  if (!token?.enabled) throw new AuthFilterError();
  if (token.clusterId !== undefined && token.clusterId !== pathClusterId(ex.path))
    throw new AuthFilterError();
  return token;
}

function tokenAuthValue(ex: Exchange): string {
  const authorization = (header(ex.headers, "authorization") ?? "").trim();
  if (authorization === "") return cookie(header(ex.headers, "cookie") ?? "", "R_SESS");
  const space = authorization.indexOf(" ");
  const [scheme, rest] =
    space < 0 ? [authorization, ""] : [authorization.slice(0, space), authorization.slice(space + 1)];
  if (scheme.toLowerCase() === "bearer") return rest.trim();
  if (scheme.toLowerCase() === "basic") return Buffer.from(rest.trim(), "base64url").toString("utf8");
  return "";
}

function cookie(cookies: string, name: string): string {
  for (const part of cookies.split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return "";
}

export function pathClusterId(path: string): string {
  const parts = path.split("/");
  const scoped = parts.length > 3 && parts[0] === "" && (parts[1] === "k8s" || parts[1] === "v3");
  return scoped && (parts[2] === "clusters" || parts[2] === "cluster") ? (parts[3] ?? "") : "";
}
