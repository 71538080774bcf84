import { SERVER_PACE, type Deadline } from "../../deadline.js";
import { EnrollError } from "../../errors.js";
import type { V3Client } from "./client.js";
import type { Member, Role, Target } from "../../flows/seam.js";
import type { Condition, NodeResource } from "./resources.js";

export const ROLES: readonly Role[] = ["etcd", "controlplane", "worker"];
/** The states of a member on its way out (a v3 node removing, a CAPI machine deleting): it counts for no role. */
const LEAVING = new Set(["removing", "deleting"]);

/** The conditions a node needs before it counts: Registered with Kubernetes, then Ready. */
export const NODE_CONDITIONS = ["Registered", "Ready"] as const;

export function toMember(node: NodeResource): Member {
  const conditions = node.conditions ?? [];
  const isTrue = (type: string) => conditions.some((c) => c.type === type && c.status === "True");
  const state = node.state ?? "unknown";
  const name = (node.requestedHostname || node.nodeName || node.name || node.id).toLowerCase();
  const address = node.customConfig?.address || node.ipAddress || null;
  const roles = ROLES.filter((role) => hasRole(node, role));
  const notTrue = conditionsNotTrue(conditions);
  return {
    id: node.id,
    name,
    state,
    address,
    roles,
    created: node.created ?? "",
    identity: null,
    registered: isTrue("Registered"),
    // A node polled before any condition exists reads "active": only the conditions tell.
    ready: state === "active" && Boolean(node.nodeName) && notTrue.length === 0,
    ...(notTrue.length ? { waiting: notTrue.join("; ") } : {}),
    view: {
      id: node.id,
      state,
      name,
      ...(node.nodeName ? { nodeName: node.nodeName } : {}),
      ...(address ? { address } : {}),
      roles,
      ...(node.transitioningMessage ? { message: node.transitioningMessage } : {}),
      conditions: conditions.map(({ type, status, message }) => ({
        type,
        status,
        ...(message ? { message } : {}),
      })),
      ...(notTrue.length ? { notTrue } : {}),
    },
  };
}

function hasRole(node: NodeResource, role: Role): boolean {
  if (role === "etcd") return Boolean(node.etcd);
  return Boolean(role === "controlplane" ? node.controlPlane : node.worker);
}

export async function listNodes(client: V3Client, cluster: Target): Promise<Member[]> {
  return (await client.nodes(cluster.id)).map(toMember);
}

/** Deletes the node and waits until the server no longer has it (it is `removing` meanwhile). */
export async function removeNode(
  client: V3Client,
  cluster: Target,
  id: string,
  deadline: Deadline,
): Promise<void> {
  const node = await client.node(cluster.id, id);
  if (!node) return;
  if (node.links && !node.links.remove) {
    throw new EnrollError(
      "server",
      `the server does not offer to remove node ${id} (no remove link): it is managed elsewhere`,
      "Remove it where it is managed, e.g. the cloud provider's or node pool's settings.",
    );
  }
  await client.deleteNode(cluster.id, id);
  let last: NodeResource | undefined = node;
  await deadline.poll(
    SERVER_PACE,
    async () => {
      last = await client.node(cluster.id, id);
      return last ? undefined : true;
    },
    () =>
      `node ${id} is still on the server (${last?.state ?? "unknown"}${last?.transitioningMessage ? `: ${last.transitioningMessage}` : ""}); a node deleted while still registering can stay "removing" until its cluster recovers`,
  );
}

/**
 * What keeps a cluster that is not active from making the node ready, beyond the node's own state: the roles no
 * node holds yet (Rancher provisions nothing until etcd, controlplane and worker each have a node), and the
 * cluster's state. `nodes` are the cluster's nodes as just listed.
 */
export async function clusterHolds(
  client: V3Client,
  cluster: Target,
  members: readonly Member[],
  word: "node" | "machine" = "node",
): Promise<string[]> {
  const current = await client.cluster(cluster.id);
  if (!current || current.state === "active") return [];
  const missing = missingRoles(members);
  const message = current.transitioningMessage ? `: ${current.transitioningMessage}` : "";
  return [
    ...(missing.length
      ? [
          `cluster ${cluster.name} has no ${missing.join(", no ")} ${word} yet: Rancher provisions nothing until every role (etcd, controlplane, worker) has a ${word}`,
        ]
      : []),
    `cluster ${cluster.name} is ${current.state ?? "unknown"}${message}`,
  ];
}

/** `Registered: Unknown (waiting to register with Kubernetes)`, `Ready: not reported yet`. */
export function conditionsNotTrue(conditions: readonly Condition[]): string[] {
  return NODE_CONDITIONS.flatMap((type) => {
    const condition = conditions.find((c) => c.type === type);
    if (!condition) return [`${type}: not reported yet`];
    if (condition.status === "True") return [];
    return [`${type}: ${condition.status}${condition.message ? ` (${condition.message})` : ""}`];
  });
}

/** The roles no node of the cluster (other than those being removed) holds. */
export function missingRoles(nodes: readonly Member[]): Role[] {
  const live = nodes.filter((node) => !LEAVING.has(node.state));
  return ROLES.filter((role) => !live.some((node) => node.roles?.includes(role)));
}
