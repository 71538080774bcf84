/**
 * How clusters and nodes move on by themselves: the node controller, the RKE1 provisioner and the node
 * syncer, reduced to timers. A node in a new cluster stays `registering` until Provisioned nodes cover etcd,
 * controlplane and worker; then the cluster provisions and its nodes register with Kubernetes together.
 */
import { conditionStatus, setCondition } from "./conditions.js";
import type { V3Cluster, V3Node } from "./types.js";
import type { V3World } from "./world.js";

export const WAITING_TO_REGISTER = "waiting to register with Kubernetes";

/** Node controller Create (Initialized once, setWaiting) then Updated (Provisioned once). */
export function startNode(world: V3World, node: V3Node): void {
  setCondition(node.conditions, "Initialized", "Unknown");
  world.scheduler.after(world.config.timings.nodeInitializingMs, () => {
    if (!world.store.node(node.id)) return;
    setCondition(node.conditions, "Initialized", "True");
    setCondition(node.conditions, "Registered", "Unknown", { message: WAITING_TO_REGISTER });
    setCondition(node.conditions, "Provisioned", "True");
    reconcileCluster(world, node.clusterId);
  });
}

export function rolesOf(node: V3Node): Array<"etcd" | "controlplane" | "worker"> {
  return [
    ...(node.etcd ? (["etcd"] as const) : []),
    ...(node.controlPlane ? (["controlplane"] as const) : []),
    ...(node.worker ? (["worker"] as const) : []),
  ];
}

/** Provisioned nodes not being deleted: what the provisioner builds a cluster from. */
function buildingNodes(world: V3World, clusterId: string): V3Node[] {
  return world.store
    .nodesOf(clusterId)
    .filter((n) => !n.removing && conditionStatus(n.conditions, "Provisioned") === "True");
}

/** The roles a cluster still lacks before it can provision (what the provisioner waits for). */
export function missingRoles(world: V3World, clusterId: string): string[] {
  const present = new Set<string>(buildingNodes(world, clusterId).flatMap(rolesOf));
  return ["etcd", "controlplane", "worker"].filter((role) => !present.has(role));
}

export function reconcileCluster(world: V3World, clusterId: string): void {
  const cluster = world.store.cluster(clusterId);
  if (!cluster) return;
  if (cluster.phase === "pending" && missingRoles(world, clusterId).length === 0) {
    provision(world, cluster, () => reconcileCluster(world, clusterId));
  }
  if (cluster.phase !== "active") return;
  for (const node of buildingNodes(world, clusterId)) {
    if (conditionStatus(node.conditions, "Registered") !== "Unknown") continue;
    scheduleRegistration(world, node.id, () => {
      if (world.store.node(node.id) && !node.removing) registerNode(world, node);
    });
  }
}

/** The cluster builds for a while (unless held), then is active and `then` runs. */
export function provision(world: V3World, cluster: V3Cluster, then: () => void): void {
  cluster.phase = "provisioning";
  world.scheduler.after(world.config.timings.clusterProvisioningMs, () =>
    world.faults.hold("keepClustersProvisioning").whenReleased(() => {
      cluster.phase = "active";
      then();
    }),
  );
}

/** The Kubernetes node appears after a while (once per key, unless held); `register` records it. */
export function scheduleRegistration(world: V3World, key: string, register: () => void): void {
  if (world.registering.has(key)) return;
  world.registering.add(key);
  world.scheduler.after(world.config.timings.nodeRegisteringMs, () =>
    world.faults.hold("keepNodesRegistering").whenReleased(() => {
      world.registering.delete(key);
      register();
    }),
  );
}

/** What the node syncer writes once the kubelet has registered (RKE lower-cases the node name). */
function registerNode(world: V3World, node: V3Node): void {
  node.nodeName = node.requestedHostname.toLowerCase();
  const { address, internalAddress, label } = node.customConfig;
  node.labels = {
    "beta.kubernetes.io/arch": "amd64",
    "beta.kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    "kubernetes.io/hostname": node.nodeName,
    "kubernetes.io/os": "linux",
    ...Object.fromEntries(rolesOf(node).map((role) => [`node-role.kubernetes.io/${role}`, "true"])),
    ...label,
  };
  node.annotations = {
    "rke.cattle.io/external-ip": address,
    "rke.cattle.io/internal-ip": internalAddress || address,
  };
  setCondition(node.conditions, "Registered", "True", { message: "registered with kubernetes" });
  const networkReady = world.faults.hold("keepKubeletsNotReady");
  if (networkReady.active) setKubeletNotReady(node);
  networkReady.whenReleased(() => setKubeletReady(node, true));
}

/** A kubelet registered before the cluster's network plugin runs (kubelet's runtime network check). */
function setKubeletNotReady(node: V3Node): void {
  setCondition(node.conditions, "Ready", "False", {
    reason: "KubeletNotReady",
    message:
      "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:docker: network plugin is not ready: cni config uninitialized",
  });
}

const KUBELET_PRESSURE = [
  ["MemoryPressure", "KubeletHasSufficientMemory"],
  ["DiskPressure", "KubeletHasNoDiskPressure"],
  ["PIDPressure", "KubeletHasSufficientPID"],
] as const;

/** The kubelet's own conditions, merged into the node's: Ready True, or Unknown once it stops posting. */
export function setKubeletReady(node: V3Node, ready: boolean): void {
  if (ready) {
    for (const [type, reason] of KUBELET_PRESSURE) setCondition(node.conditions, type, "False", { reason });
    setCondition(node.conditions, "Ready", "True", {
      reason: "KubeletReady",
      message: "kubelet is posting ready status",
    });
  } else {
    setCondition(node.conditions, "Ready", "Unknown", {
      reason: "NodeStatusUnknown",
      message: "Kubelet stopped posting node status.",
    });
  }
}

/** DELETE: `removing` at once, gone after a while (unless held). */
export function removeNode(world: V3World, node: V3Node): void {
  if (node.removing) return;
  node.removing = true;
  setCondition(node.conditions, "Removed", "Unknown");
  world.scheduler.after(world.config.timings.nodeRemovingMs, () =>
    world.faults.hold("keepNodesRemoving").whenReleased(() => world.store.removeNode(node)),
  );
}
