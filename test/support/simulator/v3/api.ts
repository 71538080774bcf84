import { ApiError } from "../errors.js";
import { jsonReply, parseJsonBody, textReply, type Exchange, type Reply } from "../http.js";
import { authenticate } from "./auth.js";
import { collectionReply } from "./norman.js";
import { removeNode } from "./progress.js";
import { publicEndpoint } from "./public.js";
import { renderCluster, renderNode, renderToken, type RenderContext } from "./render.js";
import { parseV3Path, type V3Route } from "./routes.js";
import { renderSetting, settingValues } from "./settings.js";
import { isSteveMachinesPath, serveMachines } from "./steve.js";
import { createRegistrationToken } from "./tokens.js";
import type { RegistrationToken, V3Cluster, V3Node } from "./types.js";
import type { V3World } from "./world.js";

const CLUSTER_FILTERS = [
  "id",
  "name",
  "state",
  "driver",
  "provider",
  "uuid",
  "created",
  "transitioning",
  "internal",
];
const TOKEN_FILTERS = [
  "id",
  "name",
  "clusterId",
  "token",
  "nodeCommand",
  "command",
  "manifestUrl",
  "state",
  "uuid",
];
const NODE_FILTERS = [
  ...[
    "id",
    "name",
    "clusterId",
    "requestedHostname",
    "nodeName",
    "hostname",
    "ipAddress",
    "externalIpAddress",
  ],
  ...["state", "transitioning", "uuid", "created", "sshUser", "imported", "etcd", "controlPlane", "worker"],
];
const NODE_BOOLEANS = ["imported", "etcd", "controlPlane", "worker"];

/** Everything but the agent's tunnel: the open endpoints, then `/v3` behind API-token authentication. */
export function handleV3(world: V3World, ex: Exchange): Reply {
  const open = publicEndpoint(world, ex);
  if (open) return open;
  if (isSteveMachinesPath(ex.path)) {
    authenticate(world, ex);
    return serveMachines(world, ex);
  }
  const route = parseV3Path(ex.path);
  if (!route) return textReply(404, "404 page not found\n");
  authenticate(world, ex);
  const ctx: RenderContext = { base: `${ex.origin}/v3`, origin: ex.origin };
  const reply = dispatch(world, ex, route, ctx);
  reply.headers["X-Api-Schemas"] = `${ctx.base}/schemas`;
  return reply;
}

function dispatch(world: V3World, ex: Exchange, route: V3Route, ctx: RenderContext): Reply {
  const context =
    route.clusterContext === undefined ? undefined : requireCluster(world, route.clusterContext);
  if (route.extra.length > 0) throw new ApiError(404);
  switch (route.collection) {
    case undefined:
      return apiRoot(ctx);
    case "clusters":
      return serveClusters(world, ex, route, ctx);
    case "clusterregistrationtokens":
      return serveTokens(world, ex, route, ctx, context);
    case "nodes":
      return serveNodes(world, ex, route, ctx, context);
    case "settings":
      return serveSettings(world, ex, route, ctx);
    default:
      throw new ApiError(404);
  }
}

function apiRoot(ctx: RenderContext): Reply {
  const links = Object.fromEntries(
    ["clusters", "clusterRegistrationTokens", "nodes", "settings"].map((name) => [
      name,
      `${ctx.base}/${name.toLowerCase()}`,
    ]),
  );
  return jsonReply(200, { id: "v3", type: "apiVersion", links: { self: ctx.base, ...links }, actions: {} });
}

function notFound(resource: string, id: string): ApiError {
  const name = id.slice(id.indexOf(":") + 1);
  return new ApiError(404, {
    code: "NotFound",
    message: `${resource}.management.cattle.io "${name}" not found`,
  });
}

function requireCluster(world: V3World, id: string): V3Cluster {
  const cluster = world.store.cluster(id);
  if (!cluster) throw notFound("clusters", id);
  return cluster;
}

function serveClusters(world: V3World, ex: Exchange, route: V3Route, ctx: RenderContext): Reply {
  if (ex.method !== "GET") throw new ApiError(405);
  if (route.id !== undefined)
    return jsonReply(200, renderCluster(world, ctx, requireCluster(world, route.id)));
  const items = world.store.clusters.map((c) => renderCluster(world, ctx, c));
  return collectionReply(
    ex,
    { resourceType: "cluster", filters: CLUSTER_FILTERS, booleans: ["internal"] },
    items,
  );
}

function serveTokens(
  world: V3World,
  ex: Exchange,
  route: V3Route,
  ctx: RenderContext,
  context: V3Cluster | undefined,
): Reply {
  const render = (t: RegistrationToken) => renderToken(world, ctx, t, requireCluster(world, t.clusterId));
  if (route.id !== undefined) {
    if (ex.method !== "GET") throw new ApiError(405);
    const token = world.store.tokens.find(
      (t) => t.id === route.id && (!context || t.clusterId === context.id),
    );
    if (!token) throw notFound("clusterregistrationtokens", route.id);
    return jsonReply(200, render(token));
  }
  if (ex.method === "POST") return jsonReply(201, render(createFromBody(world, ex, context)));
  if (ex.method !== "GET") throw new ApiError(405);
  const tokens = context ? world.store.tokensOf(context.id) : world.store.tokens;
  const spec = {
    resourceType: "clusterRegistrationToken",
    filters: TOKEN_FILTERS,
    createTypes: { clusterRegistrationToken: `${ctx.base}/clusterregistrationtokens` },
  };
  return collectionReply(ex, spec, tokens.map(render));
}

/** Body `{type?, clusterId, name?}`; under `/v3/clusters/<id>/` the cluster comes from the path. */
function createFromBody(world: V3World, ex: Exchange, context: V3Cluster | undefined): RegistrationToken {
  const body = parseJsonBody(ex);
  const fields = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const clusterId = context?.id ?? fields.clusterId;
  if (typeof clusterId !== "string" || clusterId === "") {
    throw new ApiError(422, { code: "MissingRequired", fieldName: "clusterId", message: "clusterId" });
  }
  if (!world.store.cluster(clusterId)) {
    throw new ApiError(422, { code: "InvalidReference", fieldName: "clusterId", message: "clusterId" });
  }
  const name = typeof fields.name === "string" && fields.name !== "" ? fields.name : undefined;
  return createRegistrationToken(world, clusterId, name);
}

function serveNodes(
  world: V3World,
  ex: Exchange,
  route: V3Route,
  ctx: RenderContext,
  context: V3Cluster | undefined,
): Reply {
  if (route.id !== undefined) {
    const node = world.store.node(route.id);
    if (!node || (context && node.clusterId !== context.id)) throw notFound("nodes", route.id);
    return serveNode(world, ex, ctx, node);
  }
  if (ex.method !== "GET") throw new ApiError(405);
  const nodes = context ? world.store.nodesOf(context.id) : world.store.nodes;
  const spec = { resourceType: "node", filters: NODE_FILTERS, booleans: NODE_BOOLEANS };
  return collectionReply(
    ex,
    spec,
    nodes.map((n) => renderNode(ctx, n)),
  );
}

function serveNode(world: V3World, ex: Exchange, ctx: RenderContext, node: V3Node): Reply {
  if (ex.method === "GET") return jsonReply(200, renderNode(ctx, node));
  if (ex.method === "DELETE") {
    removeNode(world, node);
    return jsonReply(200, renderNode(ctx, node));
  }
  throw new ApiError(405);
}

function serveSettings(world: V3World, ex: Exchange, route: V3Route, ctx: RenderContext): Reply {
  if (ex.method !== "GET") throw new ApiError(405);
  const values = settingValues(world);
  if (route.id === undefined) {
    const items = Object.entries(values).map(([name, value]) => renderSetting(ctx, name, value));
    return collectionReply(ex, { resourceType: "setting", filters: ["id", "name", "value"] }, items);
  }
  const value = values[route.id];
  if (value === undefined) throw notFound("settings", route.id);
  return jsonReply(200, renderSetting(ctx, route.id, value));
}
