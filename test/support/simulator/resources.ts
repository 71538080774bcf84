import type { Scope } from "./auth.js";
import { collectionReply, type CollectionSpec } from "./collections.js";
import { ApiError } from "./errors.js";
import { jsonReply, type Exchange, type Reply } from "./http.js";
import { availableActions, runAction, type ActionTable } from "./lifecycle.js";
import { apiBase, type ApiRoute, type ApiVersion } from "./routes.js";
import type { Lifecycle } from "./types.js";
import type { World } from "./world.js";

/** What rendering a resource depends on besides the resource itself. */
export interface RenderContext {
  /** `<origin>/<version>[/projects/<id>]`, mirroring the request. */
  base: string;
  version: ApiVersion;
  admin: boolean;
  query: URLSearchParams;
}

export function renderContext(ex: Exchange, route: ApiRoute, scope: Scope): RenderContext {
  return {
    base: apiBase(ex.origin, route),
    version: route.version,
    admin: scope.admin,
    query: ex.url.searchParams,
  };
}

export function renderResource(
  identity: { id: string; type: string; baseType: string },
  links: Record<string, string>,
  actions: Record<string, string>,
  fields: object,
): Record<string, unknown> {
  return { id: identity.id, type: identity.type, baseType: identity.baseType, links, actions, ...fields };
}

/** Action URLs look like `<self>/?action=<name>`. */
export function actionLinks(self: string, table: ActionTable, state: string): Record<string, string> {
  return Object.fromEntries(availableActions(table, state).map((name) => [name, `${self}/?action=${name}`]));
}

export interface OwnedResource extends Lifecycle {
  accountId: string;
}

/** A project-owned collection served generically: list, get, create, actions, delete. */
export interface ResourceKind<T extends OwnedResource> {
  spec(ctx: RenderContext): CollectionSpec<T>;
  list(world: World, projectId: string): T[];
  /** Absent when the project role may not create this type (POST → 405). */
  create?(world: World, projectId: string, ex: Exchange): T;
  actions: ActionTable;
}

export function serveKind<T extends OwnedResource>(
  world: World,
  ex: Exchange,
  route: ApiRoute,
  scope: Scope,
  kind: ResourceKind<T>,
): Reply {
  const spec = kind.spec(renderContext(ex, route, scope));
  const { projectId } = scope;
  if (route.id === undefined) {
    if (ex.method === "GET") return collectionReply(ex, spec, projectId ? kind.list(world, projectId) : []);
    if (ex.method === "POST" && kind.create && projectId) {
      return jsonReply(201, spec.render(kind.create(world, projectId, ex)));
    }
    throw new ApiError(405);
  }
  const item = projectId ? kind.list(world, projectId).find((i) => i.id === route.id) : undefined;
  if (!item || route.extra.length > 0) throw new ApiError(404);
  return serveItem(world, ex, kind, item, spec);
}

function serveItem<T extends OwnedResource>(
  world: World,
  ex: Exchange,
  kind: ResourceKind<T>,
  item: T,
  spec: CollectionSpec<T>,
): Reply {
  const action = ex.url.searchParams.get("action");
  if (ex.method === "GET") return jsonReply(200, spec.render(item));
  if (ex.method === "POST" && action !== null) {
    runAction(world.scheduler, kind.actions, item, action, world.config.timings.actionMs);
    return jsonReply(202, spec.render(item));
  }
  if (ex.method === "DELETE") {
    runAction(world.scheduler, kind.actions, item, "remove", world.config.timings.actionMs);
    return jsonReply(200, spec.render(item));
  }
  throw new ApiError(405);
}
