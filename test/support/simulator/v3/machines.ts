/**
 * v2-provisioned (RKE2/K3s) custom clusters: the system agent's `GET /v3/connect/agent` (configserver),
 * the machine request it leaves, the CAPI Machine the unmanaged controller makes of it, the Machine's phases
 * and the `machine-xxxxx` v3 node the node syncer adds once the Kubernetes node exists.
 */
import { createHash, randomUUID } from "node:crypto";
import { header, jsonReply, textReply, type Exchange, type Reply } from "../http.js";
import { isoSeconds } from "../lifecycle.js";
import { setCondition } from "./conditions.js";
import { generatedName } from "./ids.js";
import { bootstrapApplied, deliverBootstrapPlans, NO_AGENT, reconciled, setPlanStatus } from "./plans.js";
import { provision, scheduleRegistration, setKubeletReady } from "./progress.js";
import type { CapiMachine, V3Cluster } from "./types.js";
import type { V3World } from "./world.js";

export const CONNECT_AGENT_PATH = "/v3/connect/agent";
export const FLEET_NAMESPACE = "fleet-default";

/** The secret (and machine) name of a machine id: `custom-` + sha256(id)[:12]. */
export function machineRequestName(machineId: string): string {
  return `custom-${createHash("sha256").update(machineId).digest("hex").slice(0, 12)}`;
}

/**
 * `Authorization: Bearer <registration token>` plus `X-Cattle-Id` and the other `X-Cattle-*` headers:
 * 401 (empty) when either is missing or unknown; otherwise the machine is found or made and the answer is the
 * agent's connection info `{namespace, secretName, kubeConfig}`, indented, as the real server writes it.
 */
export function connectAgent(world: V3World, ex: Exchange): Reply {
  const machineId = header(ex.headers, "x-cattle-id") ?? "";
  const token = (header(ex.headers, "authorization") ?? "").replace(/^Bearer /, "");
  const crt = machineId && token ? world.store.tokenByValue(token) : undefined;
  const cluster = crt && world.store.cluster(crt.clusterId);
  if (!cluster || cluster.kind !== "rke2") return textReply(401, "");
  const machine = findOrCreateMachine(world, cluster, machineId, ex);
  const kubeConfig = [
    "apiVersion: v1",
    "clusters:",
    "- cluster:",
    `    server: ${world.serverUrl || ex.origin}`,
    "  name: agent",
    "kind: Config",
    "users:",
    "- name: agent",
    "  user:",
    "    token: simulated",
    "",
  ].join("\n");
  const body = { namespace: machine.namespace, secretName: `${machine.name}-machine-plan`, kubeConfig };
  return { ...jsonReply(200, body), body: `${JSON.stringify(body, null, 2)}\n` };
}

function findOrCreateMachine(
  world: V3World,
  cluster: V3Cluster,
  machineId: string,
  ex: Exchange,
): CapiMachine {
  const name = machineRequestName(machineId);
  const existing = world.store.machines.find((m) => m.name === name && m.namespace === FLEET_NAMESPACE);
  if (existing) return existing;
  const cattle = (suffix: string) => header(ex.headers, `x-cattle-${suffix}`) ?? "";
  const roles = {
    etcd: cattle("role-etcd") === "true",
    controlPlane: cattle("role-control-plane") === "true",
    worker: cattle("role-worker") === "true",
  };
  const labels: Record<string, string> = {
    ...userLabels(cattle("labels")),
    ...(roles.etcd ? { "rke.cattle.io/etcd-role": "true" } : {}),
    ...(roles.controlPlane ? { "rke.cattle.io/control-plane-role": "true" } : {}),
    ...(roles.worker ? { "rke.cattle.io/worker-role": "true" } : {}),
    ...(cattle("node-name") ? { "rke.cattle.io/node-name": cattle("node-name") } : {}),
    "rke.cattle.io/machine-id": machineId,
    "rke.cattle.io/cluster-name": cluster.name,
    "cluster.x-k8s.io/cluster-name": cluster.name,
  };
  const annotations: Record<string, string> = {
    ...(cattle("address") ? { "rke.cattle.io/address": cattle("address") } : {}),
    ...(cattle("internal-address") ? { "rke.cattle.io/internal-address": cattle("internal-address") } : {}),
  };
  const machine: CapiMachine = {
    name,
    namespace: FLEET_NAMESPACE,
    uid: randomUUID(),
    created: isoSeconds(new Date()),
    clusterId: cluster.id,
    clusterName: cluster.name,
    labels,
    annotations,
    ...roles,
    nodeName: (cattle("node-name") || name).toLowerCase(),
    phase: "Pending",
    conditions: [],
  };
  world.store.machines.push(machine);
  world.scheduler.after(world.config.timings.nodeInitializingMs, () => {
    if (machine.phase === "Pending") machine.phase = "Provisioning";
    reconcileMachines(world, cluster);
  });
  return machine;
}

/** The X-Cattle-Labels value `k=v,k2=v2`; a label never overrides one the controller sets. */
function userLabels(csv: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of csv.split(",")) {
    const eq = pair.indexOf("=");
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key) labels[key] = eq < 0 ? "" : pair.slice(eq + 1);
  }
  return labels;
}

/** The planner waits for one etcd, one control plane and one worker machine, then every machine runs. */
export function missingMachineRoles(world: V3World, clusterId: string): string[] {
  const machines = world.store.machines.filter((m) => m.clusterId === clusterId && m.phase !== "Deleting");
  return [
    ...(machines.some((m) => m.etcd) ? [] : ["etcd"]),
    ...(machines.some((m) => m.controlPlane) ? [] : ["controlplane"]),
    ...(machines.some((m) => m.worker) ? [] : ["worker"]),
  ];
}

/**
 * The planner's steps, at the phase steps: plans go out as the cluster starts to provision, the init node's is
 * applied once the cluster is up; a machine joining a running cluster gets its plan at once; Running is in sync.
 */
function reconcileMachines(world: V3World, cluster: V3Cluster): void {
  if (cluster.phase === "pending" && missingMachineRoles(world, cluster.id).length === 0) {
    provision(world, cluster, () => {
      bootstrapApplied(provisioningMachines(world, cluster));
      reconcileMachines(world, cluster);
    });
  }
  if (cluster.phase === "provisioning") deliverBootstrapPlans(provisioningMachines(world, cluster));
  if (cluster.phase !== "active") return;
  for (const machine of provisioningMachines(world, cluster)) {
    if (!reconciled(machine)) setPlanStatus(machine, NO_AGENT);
    scheduleRegistration(world, machine.name, () => {
      if (machine.phase !== "Provisioning") return;
      machine.phase = "Running";
      setPlanStatus(machine);
      addSyncedNode(world, machine);
    });
  }
}

function provisioningMachines(world: V3World, cluster: V3Cluster): CapiMachine[] {
  return world.store.machines.filter((m) => m.clusterId === cluster.id && m.phase === "Provisioning");
}

/** The node syncer's v3 node for a Kubernetes node of a v2-provisioned cluster: `machine-xxxxx`, registered. */
function addSyncedNode(world: V3World, machine: CapiMachine): void {
  const address = machine.annotations["rke.cattle.io/address"] ?? "";
  const node = world.store.addNode({
    clusterId: machine.clusterId,
    requestedHostname: machine.nodeName,
    roles: { etcd: machine.etcd, controlPlane: machine.controlPlane, worker: machine.worker },
    customConfig: {
      address,
      internalAddress: machine.annotations["rke.cattle.io/internal-address"] ?? "",
      label: {},
      taints: [],
    },
  });
  node.name = generatedName("machine-");
  node.id = `${machine.clusterId}:${node.name}`;
  node.nodeName = machine.nodeName;
  node.labels = { "kubernetes.io/hostname": machine.nodeName, "rke.cattle.io/machine": machine.uid };
  node.annotations = { "cluster.x-k8s.io/machine": machine.name };
  setCondition(node.conditions, "Initialized", "True");
  setCondition(node.conditions, "Registered", "True", { message: "registered with kubernetes" });
  setCondition(node.conditions, "Provisioned", "True");
  setKubeletReady(node, true);
}
