import { decodeSegment } from "../routes.js";

/**
 * A parsed `/v3` path: `/v3/<collection>[/<id>]`, or under a cluster's sub-context
 * `/v3/clusters/<clusterId>/<collection>[/<id>]` (norman serves a management type there, filtered to that
 * cluster; the only URLs a cluster-scoped API token may use).
 */
export interface V3Route {
  collection?: string;
  id?: string;
  /** Set for sub-context URLs `/v3/clusters/<id>/…`. */
  clusterContext?: string;
  /** Segments beyond the resource id; nothing we serve has any. */
  extra: string[];
}

/** Norman matches a schema by id or plural name, case-insensitively. */
const COLLECTIONS: Record<string, string> = {
  cluster: "clusters",
  clusters: "clusters",
  node: "nodes",
  nodes: "nodes",
  clusterregistrationtoken: "clusterregistrationtokens",
  clusterregistrationtokens: "clusterregistrationtokens",
  setting: "settings",
  settings: "settings",
};

export function parseV3Path(path: string): V3Route | undefined {
  const segments = path.split("/").filter(Boolean).map(decodeSegment);
  if (segments[0] !== "v3") return undefined;
  const rest = segments.slice(1);
  const [collection, id, sub, subId, ...extra] = rest;
  if (
    canonical(collection) === "clusters" &&
    id !== undefined &&
    sub !== undefined &&
    canonical(sub) !== undefined
  ) {
    const inner = canonical(sub) as string;
    return { clusterContext: id, collection: inner, ...(subId === undefined ? {} : { id: subId }), extra };
  }
  return {
    ...(collection === undefined ? {} : { collection: canonical(collection) ?? collection.toLowerCase() }),
    ...(id === undefined ? {} : { id }),
    extra: rest.slice(2),
  };
}

function canonical(name: string | undefined): string | undefined {
  return name === undefined ? undefined : COLLECTIONS[name.toLowerCase()];
}
