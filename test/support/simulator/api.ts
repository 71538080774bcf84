import { reapAgents } from "./agents.js";
import { authenticate, resolveScope, type Scope } from "./auth.js";
import { ApiError } from "./errors.js";
import { errorReply, jsonReply, type Exchange, type Reply } from "./http.js";
import { hostKind } from "./hosts.js";
import { serveProject, serveProjectList } from "./projects.js";
import { registerKind } from "./register.js";
import { serveKind } from "./resources.js";
import { apiBase, parseApiPath, type ApiRoute } from "./routes.js";
import { serveScript } from "./scripts.js";
import { tokenKind } from "./tokens.js";
import type { World } from "./world.js";

/** Everything under /v1 and /v2-beta. */
export function handleApi(world: World, ex: Exchange): Reply {
  const route = parseApiPath(ex.path);
  if (!route) throw new ApiError(404);
  if (route.collection === "scripts") return serveScript(world, ex, route);
  const scope = resolveScope(world, ex, route, authenticate(world, ex));
  const headers = accountHeaders(ex, route, scope);
  try {
    const reply = dispatch(world, ex, route, scope);
    return { ...reply, headers: { ...headers, ...reply.headers } };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return errorReply(new ApiError(error.status, error.details, { ...headers, ...error.headers }));
  }
}

function dispatch(world: World, ex: Exchange, route: ApiRoute, scope: Scope): Reply {
  if (scope.principal.kind === "registration") {
    // A registration token may only create and read `register` objects.
    if (route.collection !== "register") throw new ApiError(403);
    reapAgents(world);
    return serveKind(world, ex, route, scope, registerKind);
  }
  if (route.pathProjectId !== undefined && route.collection === undefined) {
    return serveProject(world, ex, route, route.pathProjectId);
  }
  switch (route.collection) {
    case undefined:
      return apiRoot(ex, route);
    case "projects":
      return serveProjectList(world, ex, route, scope.principal.key);
    case "hosts":
      return serveKind(world, ex, route, scope, hostKind);
    case "registrationtokens":
      return serveKind(world, ex, route, scope, tokenKind);
    default:
      throw new ApiError(404);
  }
}

function apiRoot(ex: Exchange, route: ApiRoute): Reply {
  if (ex.method !== "GET") throw new ApiError(405);
  const base = apiBase(ex.origin, route);
  return jsonReply(200, {
    id: route.version,
    type: "apiVersion",
    links: {
      self: base,
      schemas: `${base}/schemas`,
      projects: `${base}/projects`,
      hosts: `${base}/hosts`,
      registrationTokens: `${base}/registrationtokens`,
    },
    actions: {},
  });
}

function accountHeaders(ex: Exchange, route: ApiRoute, scope: Scope): Record<string, string> {
  const project = scope.projectId === undefined ? "" : `/projects/${scope.projectId}`;
  return {
    "X-API-Account-Id": scope.accountId,
    "X-API-Schemas": `${ex.origin}/${route.version}${project}/schemas`,
  };
}
