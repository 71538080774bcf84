import { setCondition } from "./conditions.js";
import { commandsByController } from "./config.js";
import { WAITING_TO_REGISTER, rolesOf, setKubeletReady } from "./progress.js";
import { settledRegistrationToken } from "./tokens.js";
import type { ClusterSpec, NodeSeedSpec, V3Cluster, V3Node } from "./types.js";
import type { V3World } from "./world.js";

/** A cluster as Rancher keeps it: on 2.6+ with its `default-token` (commands written long ago). */
export function addCluster(world: V3World, spec: ClusterSpec): V3Cluster {
  const cluster = world.store.addCluster(spec);
  if (commandsByController(world.config.version) && spec.defaultToken !== false) {
    settledRegistrationToken(world, cluster.id, "default-token");
  }
  return cluster;
}

/**
 * Nodes of earlier machines (no agent behind them): a stale namesake of the machine under test, or bulk
 * for paging. Named as the tunnel server names them, `m-<md5(hostname)>`.
 */
export function seedNodes(world: V3World, spec: NodeSeedSpec): V3Node[] {
  world.store.requireCluster(spec.clusterId);
  const count = spec.count ?? 1;
  const start = world.store.nodes.length;
  return Array.from({ length: count }, (_, i) => {
    const hostname = spec.hostname
      ? count === 1
        ? spec.hostname
        : `${spec.hostname}-${i + 1}`
      : `seeded-${start + i + 1}`;
    return seedNode(
      world,
      spec,
      hostname,
      `10.98.${Math.floor((start + i) / 250) % 250}.${((start + i) % 250) + 1}`,
    );
  });
}

function seedNode(world: V3World, spec: NodeSeedSpec, hostname: string, defaultAddress: string): V3Node {
  const roles = spec.roles ?? ["worker"];
  const node = world.store.addNode({
    clusterId: spec.clusterId,
    requestedHostname: hostname,
    roles: {
      etcd: roles.includes("etcd"),
      controlPlane: roles.includes("controlplane"),
      worker: roles.includes("worker"),
    },
    customConfig: { address: spec.address ?? defaultAddress, internalAddress: "", label: {}, taints: [] },
    created: new Date(Date.now() - 86_400_000),
  });
  setCondition(node.conditions, "Initialized", "True");
  if (spec.registered === false) {
    setCondition(node.conditions, "Registered", "Unknown", { message: WAITING_TO_REGISTER });
  } else {
    node.nodeName = hostname.toLowerCase();
    node.labels = {
      "kubernetes.io/hostname": node.nodeName,
      ...Object.fromEntries(rolesOf(node).map((role) => [`node-role.kubernetes.io/${role}`, "true"])),
    };
    setCondition(node.conditions, "Registered", "True", { message: "registered with kubernetes" });
  }
  setCondition(node.conditions, "Provisioned", "True");
  if (spec.registered !== false) setKubeletReady(node, spec.reachable !== false);
  return node;
}
