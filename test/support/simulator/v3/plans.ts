/**
 * What Rancher's planner (2.8+, pkg/controllers/capr/planner) writes on a custom cluster's CAPI machines while
 * their plans apply: the machine's `Reconciled` condition, Unknown (reason `Waiting`) with the plan status
 * message, True once the plan is in sync. The plan secret and the probes themselves are not simulated; these
 * messages move at the simulator's phase steps (see the README).
 */
import { conditionStatus, setCondition } from "./conditions.js";
import type { CapiMachine } from "./types.js";

export const RECONCILED = "Reconciled";
export const NO_AGENT = "waiting for agent to check in and apply initial plan";

/** A machine the planner has no plan for yet waits on the tier before it (planstore noPlanMessage). */
export function noPlanMessage(machine: CapiMachine): string {
  if (machine.etcd) return "waiting for bootstrap etcd to be available";
  if (machine.controlPlane) return "waiting for etcd to be available";
  return "waiting for control plane to be available";
}

/** The plan is applied and rke2 runs, but its probes do not pass yet (the components are starting). */
export function probesMessage(machine: CapiMachine): string {
  const probes = [
    ...(machine.etcd ? ["etcd"] : []),
    ...(machine.controlPlane ? ["kube-apiserver", "kube-controller-manager", "kube-scheduler"] : []),
    "kubelet",
  ].sort();
  return `waiting for probes: ${probes.join(", ")}`;
}

/** The planner's Reconciled condition: Unknown `Waiting` with the message, or True when nothing is left. */
export function setPlanStatus(machine: CapiMachine, message?: string): void {
  if (message) setCondition(machine.conditions, RECONCILED, "Unknown", { reason: "Waiting", message });
  else setCondition(machine.conditions, RECONCILED, "True");
}

export function planMessage(machine: CapiMachine): string | undefined {
  return machine.conditions.find((c) => c.type === RECONCILED && c.status === "Unknown")?.message;
}

export function reconciled(machine: CapiMachine): boolean {
  return conditionStatus(machine.conditions, RECONCILED) !== undefined;
}

/**
 * While the cluster provisions: the init node (the first etcd machine) gets its plan and waits for its agent;
 * every other machine waits for the tier before it. A machine keeps what it was given.
 */
export function deliverBootstrapPlans(machines: readonly CapiMachine[]): void {
  const init = machines.find((m) => planMessage(m) === NO_AGENT) ?? machines.find((m) => m.etcd);
  for (const machine of machines)
    if (!reconciled(machine)) setPlanStatus(machine, machine === init ? NO_AGENT : noPlanMessage(machine));
}

/**
 * The cluster is up: the init node has applied its plan and waits on its probes until its node registers; the
 * others now get their plans and wait for their agents to apply them.
 */
export function bootstrapApplied(machines: readonly CapiMachine[]): void {
  for (const machine of machines)
    setPlanStatus(machine, planMessage(machine) === NO_AGENT ? probesMessage(machine) : NO_AGENT);
}
