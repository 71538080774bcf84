import { EnrollError } from "../../errors.js";
import { TargetNotChosen, type Target } from "../../flows/seam.js";
import type { V3Client } from "./client.js";
import type { ClusterResource } from "./resources.js";

/** Management cluster ids: `c-xxxxx` (RKE1 and imported), `c-m-xxxxxxxx` (v2 provisioning), `local`. */
const CLUSTER_ID = /^(c-[a-z0-9-]+|local)$/;
const RKE1_DRIVER = "rancherKubernetesEngine";
const OWNER_GVK = "objectset.rio.cattle.io/owner-gvk";

/** The cluster to join, by id or exact name, and the line its machines join by. */
export async function findCluster(
  client: V3Client,
  wanted: string | undefined,
  from = "--cluster",
  version?: string,
): Promise<{ target: Target; line: Rancher2Line; resource: ClusterResource }> {
  const cluster = await lookUp(client, wanted, from);
  return { target: toTarget(cluster), line: lineOfCluster(cluster, version), resource: cluster };
}

/** The two lines of a Rancher 2.x server: RKE1 custom clusters (`v3`), RKE2/K3s custom clusters (`system-agent`). */
export type Rancher2Line = "v3" | "system-agent";

async function lookUp(client: V3Client, wanted: string | undefined, from: string): Promise<ClusterResource> {
  if (wanted && CLUSTER_ID.test(wanted)) {
    const byId = await client.cluster(wanted).catch(explainScopedKey(wanted));
    if (byId) return byId;
  }
  const clusters = await client.clusters(wanted ? { name: wanted } : {}).catch(explainScopedKey(wanted));
  // Filter again here: a server that ignores a filter answers with everything.
  const matches = wanted ? clusters.filter((cluster) => displayName(cluster) === wanted) : clusters;
  if (matches.length === 1) return matches[0]!;
  if (!wanted) {
    throw new TargetNotChosen(
      "usage",
      `no cluster given and the API token can see ${clusters.length ? `several: ${describe(clusters)}` : "none"}`,
      "Pass --cluster NAME|ID, set RANCHER_CLUSTER, or set cluster in the profile.",
      clusters.map(toTarget),
    );
  }
  if (matches.length > 1) {
    throw new TargetNotChosen(
      "not-found",
      `the cluster name "${wanted}" (from ${from}) is ambiguous: ${describe(matches)}`,
      "Give the cluster's id instead (c-xxxxx).",
      matches.map(toTarget),
    );
  }
  throw await notFound(client, wanted, from);
}

async function notFound(client: V3Client, wanted: string, from: string): Promise<TargetNotChosen> {
  const visible = await client.clusters();
  const seen = visible.length
    ? `the API token can see: ${describe(visible)}`
    : "the API token can see no cluster";
  return new TargetNotChosen(
    "not-found",
    `cluster "${wanted}" not found; ${seen}`,
    `Check ${from} (a cluster's name, or its id such as c-7xk2q) and that the token's user is a member of it.`,
    visible.map(toTarget),
  );
}

/**
 * A key bound to one cluster is refused (401) on every URL outside `/v3/clusters/<id>/`: listing clusters, or
 * another cluster's id. Say so, since the server's "Unauthorized" alone reads like a wrong key.
 */
function explainScopedKey(wanted: string | undefined) {
  return (error: unknown): never => {
    if (!(error instanceof EnrollError) || error.kind !== "auth") throw error;
    const scoped =
      wanted && CLUSTER_ID.test(wanted)
        ? `if the API token is scoped to a cluster, it is not scoped to ${wanted}`
        : "an API token scoped to one cluster can only name that cluster by its id";
    throw new EnrollError(
      "auth",
      `${error.message}; ${scoped}`,
      `${error.hint ?? ""} With a cluster-scoped token, pass --cluster with that cluster's id (c-xxxxx).`.trim(),
      { cause: error },
    );
  };
}

/**
 * A v2-provisioned cluster (`c-m-…`, owned by a provisioning.cattle.io Cluster) takes machines through
 * rancher-system-agent; an RKE1 cluster through the rancher-agent container, on servers before 2.12 only.
 */
function lineOfCluster(cluster: ClusterResource, version: string | undefined): Rancher2Line {
  if (isV2Provisioned(cluster)) return "system-agent";
  if (cluster.driver === RKE1_DRIVER || cluster.rancherKubernetesEngineConfig) {
    requireRke1Server(version);
    return "v3";
  }
  throw new EnrollError(
    "usage",
    `cluster ${displayName(cluster)} (${cluster.id}) is not a custom cluster (driver "${cluster.driver ?? "none"}"): it does not take custom nodes`,
    'Choose a cluster created as "Custom" (RKE2/K3s, or RKE1 on Rancher 2.11 and earlier) with --cluster NAME|ID.',
  );
}

/** An RKE1 cluster whose token carries the system agent's command: the server's answers contradict each other. */
export function notRke1(cluster: Target): EnrollError {
  return new EnrollError(
    "server",
    `cluster ${cluster.name} (${cluster.id}) is an RKE1 cluster, but its node command installs rancher-system-agent (the RKE2/K3s agent)`,
    "Ask the Rancher administrator to check the cluster; rancher-enroll runs the command that matches the cluster's kind.",
  );
}

/** Rancher v2.12 dropped RKE1: its clusters take machines only through rancher-system-agent. */
export function requireRke1Server(version: string | undefined): void {
  const minor = Number(/^v?2\.(\d+)\./.exec(version ?? "")?.[1] ?? 0);
  if (minor < 12) return;
  throw new EnrollError(
    "server",
    `the server runs Rancher ${version}, which has no RKE1 clusters (Rancher v2.12 and later join machines with rancher-system-agent only)`,
    "Name an RKE2/K3s custom cluster of this server (--cluster): rancher-enroll joins it through rancher-system-agent.",
  );
}

function isV2Provisioned(cluster: ClusterResource): boolean {
  return (
    cluster.id.startsWith("c-m-") ||
    (cluster.annotations?.[OWNER_GVK] ?? "").startsWith("provisioning.cattle.io/")
  );
}

/** The name the UI shows (`spec.displayName`); custom objects may have none. */
export function displayName(cluster: Pick<ClusterResource, "id" | "name">): string {
  return cluster.name || cluster.id;
}

function toTarget(cluster: ClusterResource): Target {
  return { id: cluster.id, name: displayName(cluster) };
}

function describe(clusters: ClusterResource[]): string {
  return clusters.map((c) => `${displayName(c)} (${c.id})`).join(", ");
}
