import { EnrollError } from "../../errors.js";
import type { Target } from "../../flows/seam.js";
import type { V3Client } from "./client.js";
import type { ClusterResource } from "./resources.js";

/** Management cluster ids: `c-xxxxx` (RKE1 and imported), `c-m-xxxxxxxx` (v2 provisioning), `local`. */
const CLUSTER_ID = /^(c-[a-z0-9-]+|local)$/;
const RKE1_DRIVER = "rancherKubernetesEngine";
const OWNER_GVK = "objectset.rio.cattle.io/owner-gvk";

/** The cluster to join, by id or exact name; it must be an RKE1 custom cluster, the only kind the Docker agent joins. */
export async function findCluster(
  client: V3Client,
  wanted: string | undefined,
  from = "--cluster",
): Promise<Target> {
  const cluster = await lookUp(client, wanted, from);
  requireRke1(cluster);
  return { id: cluster.id, name: displayName(cluster) };
}

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
    throw new EnrollError(
      "usage",
      `no cluster given and the API token can see ${clusters.length ? `several: ${describe(clusters)}` : "none"}`,
      "Pass --cluster NAME|ID, set RANCHER_CLUSTER, or set cluster in the profile.",
    );
  }
  if (matches.length > 1) {
    throw new EnrollError(
      "not-found",
      `the cluster name "${wanted}" (from ${from}) is ambiguous: ${describe(matches)}`,
      "Give the cluster's id instead (c-xxxxx).",
    );
  }
  throw await notFound(client, wanted, from);
}

async function notFound(client: V3Client, wanted: string, from: string): Promise<EnrollError> {
  const visible = await client.clusters();
  const seen = visible.length
    ? `the API token can see: ${describe(visible)}`
    : "the API token can see no cluster";
  return new EnrollError(
    "not-found",
    `cluster "${wanted}" not found; ${seen}`,
    `Check ${from} (a cluster's name, or its id such as c-7xk2q) and that the token's user is a member of it.`,
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

function requireRke1(cluster: ClusterResource): void {
  const name = `cluster ${displayName(cluster)} (${cluster.id})`;
  if (isV2Provisioned(cluster)) throw notRke1({ id: cluster.id, name: displayName(cluster) });
  if (cluster.driver === RKE1_DRIVER || cluster.rancherKubernetesEngineConfig) return;
  throw new EnrollError(
    "usage",
    `${name} is not an RKE1 custom cluster (driver "${cluster.driver ?? "none"}"): it does not take custom nodes`,
    'Choose a cluster created as "Custom" with RKE1 (--cluster NAME|ID).',
  );
}

export function notRke1(cluster: Target): EnrollError {
  return new EnrollError(
    "usage",
    `cluster ${cluster.name} (${cluster.id}) is an RKE2/K3s cluster: its machines run rancher-system-agent, not the rancher-agent container`,
    "rancher-enroll joins RKE1 custom clusters only; use the cluster's registration command from the Rancher UI.",
  );
}

/** Rancher v2.12 dropped RKE1: its clusters take machines only through rancher-system-agent. */
export function requireRke1Server(version: string | undefined): void {
  const minor = Number(/^v?2\.(\d+)\./.exec(version ?? "")?.[1] ?? 0);
  if (minor < 12) return;
  throw new EnrollError(
    "server",
    `the server runs Rancher ${version}, which has no RKE1 clusters (Rancher v2.12 and later join machines with rancher-system-agent only)`,
    "rancher-enroll joins RKE1 custom clusters of Rancher 2.0 to 2.11; on this server, use the cluster's registration command from the Rancher UI.",
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

function describe(clusters: ClusterResource[]): string {
  return clusters.map((c) => `${displayName(c)} (${c.id})`).join(", ");
}
