import type { Evidence, Member, MemberMatch, Role } from "../../flows/seam.js";
import { ROLES, toMember as nodeMember } from "../v3/nodes.js";
import type { NodeResource } from "../v3/resources.js";
import {
  ADDRESS,
  MACHINE_ID,
  NODE_MACHINE,
  NODE_NAME,
  ROLE_LABELS,
  type MachineCondition,
  type MachineResource,
} from "./resources.js";

/**
 * A CAPI machine as a member: its id (`<namespace>/<name>`) stays the same from the machine request to removal;
 * its identity is the machine id the installer registered with (`rke.cattle.io/machine-id`). It counts as
 * registered once it exists, and as ready once it runs with a node reference and the v3 node that follows it is
 * active: what Rancher's UI shows as an active machine.
 */
export function machineMember(machine: MachineResource, node: NodeResource | undefined): Member {
  const { metadata, status } = machine;
  const labels = metadata.labels ?? {};
  const phase = status?.phase ?? "Pending";
  const nodeName = status?.nodeRef?.name;
  const followed = node && nodeMember(node);
  const waiting = machineWaiting(machine, followed);
  const address = metadata.annotations?.[ADDRESS] || followed?.address || null;
  const state = phase.toLowerCase();
  const roles = machineRoles(machine);
  return {
    id: machine.id,
    name: (nodeName ?? labels[NODE_NAME] ?? metadata.name).toLowerCase(),
    state,
    address,
    created: metadata.creationTimestamp ?? "",
    identity: labels[MACHINE_ID] ?? null,
    registered: true,
    ready: phase === "Running" && Boolean(nodeName) && Boolean(followed?.ready),
    ...(waiting ? { waiting } : {}),
    labels,
    roles,
    view: {
      id: machine.id,
      state,
      machine: metadata.name,
      phase,
      roles,
      ...(nodeName ? { nodeName } : {}),
      ...(node ? { node: node.id, nodeState: followed?.state } : {}),
      ...(address ? { address } : {}),
      ...(metadata.state?.message ? { message: metadata.state.message } : {}),
      conditions: (status?.conditions ?? []).map(({ type, status: value, message }) => ({
        type,
        status: value,
        ...(message ? { message } : {}),
      })),
    },
  };
}

export function machineRoles(machine: MachineResource): Role[] {
  return ROLES.filter((role) => machine.metadata.labels?.[ROLE_LABELS[role]] === "true");
}

/** The v3 node that follows the machine: by the Kubernetes node it references, or by the node's machine annotation. */
export function nodeOf(machine: MachineResource, nodes: readonly NodeResource[]): NodeResource | undefined {
  const nodeName = machine.status?.nodeRef?.name;
  return (
    (nodeName ? nodes.find((node) => node.nodeName === nodeName) : undefined) ??
    nodes.find((node) => node.annotations?.[NODE_MACHINE] === machine.metadata.name)
  );
}

/**
 * Progress in the server's words, for the log while rke2/k3s installs: the phase, the machine's conditions that
 * do not hold yet (with Rancher's messages), then the node's.
 */
function machineWaiting(machine: MachineResource, node: Member | undefined): string | undefined {
  const { status, metadata } = machine;
  const phase = status?.phase ?? "Pending";
  const parts = [
    ...(status?.failureMessage ? [`failed: ${status.failureMessage}`] : []),
    ...(status?.conditions ?? []).filter(notHolding).map(describeCondition),
  ];
  if (phase !== "Running") {
    const message = metadata.state?.message;
    if (!parts.length && message) parts.push(message);
    return [`phase ${phase}`, ...parts].join("; ");
  }
  if (!status?.nodeRef) return ["no node yet", ...parts].join("; ");
  if (!node) return ["its node is not in the cluster yet", ...parts].join("; ");
  if (!node.ready)
    return [`node ${node.id} is ${node.state}`, node.waiting, ...parts].filter(Boolean).join("; ");
  return parts.length ? parts.join("; ") : undefined;
}

function notHolding(condition: MachineCondition): boolean {
  return condition.status !== "True";
}

function describeCondition({ type, status, reason, message }: MachineCondition): string {
  const why = [reason, message].filter(Boolean).join(": ");
  return `${type}: ${status}${why ? ` (${why})` : ""}`;
}

/**
 * Which machine is ours: the one of the machine id the installer registered with (set by us, or read from the
 * file the installer keeps). A name never decides: machine names derive from that id, and node names repeat.
 */
export function identifyMachine(members: readonly Member[], evidence: Evidence): MemberMatch | undefined {
  const id = evidence.knownIdentity;
  if (!id) return undefined;
  const ours = members.find((member) => member.identity === id);
  return (
    ours && { member: ours, why: `the machine of this machine's id (${MACHINE_ID}=${id.slice(0, 12)}…)` }
  );
}
