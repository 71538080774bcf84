import { array, boolean, dictionary, object, optional, string, type Infer } from "../../schema.js";

/** The shapes of what Steve (`/v1`) answers for CAPI machines, as far as enrolling a machine reads them. */

const machineCondition = object({
  type: string,
  status: string,
  reason: optional(string),
  message: optional(string),
});
export type MachineCondition = Infer<typeof machineCondition>;

export const machineResource = object({
  /** `<namespace>/<name>`. */
  id: string,
  metadata: object({
    name: string,
    namespace: optional(string),
    creationTimestamp: optional(string),
    labels: optional(dictionary(string)),
    annotations: optional(dictionary(string)),
    /** Steve's summary: `{name: "provisioning", message: "…", error: false}`. */
    state: optional(object({ name: optional(string), message: optional(string), error: optional(boolean) })),
  }),
  status: optional(
    object({
      phase: optional(string),
      nodeRef: optional(object({ name: string })),
      failureMessage: optional(string),
      conditions: optional(array(machineCondition)),
    }),
  ),
  links: optional(object({ remove: optional(string) })),
});
export type MachineResource = Infer<typeof machineResource>;

/** A Steve collection page: `continue` is set while more pages follow (Kubernetes' chunking). */
export const machinePage = object({ data: array(machineResource), continue: optional(string) });

/** The labels and annotations Rancher's unmanaged-machine controller puts on a custom cluster's machines. */
export const MACHINE_ID = "rke.cattle.io/machine-id";
export const NODE_NAME = "rke.cattle.io/node-name";
export const CLUSTER_NAME = "cluster.x-k8s.io/cluster-name";
export const ADDRESS = "rke.cattle.io/address";
export const ROLE_LABELS = {
  etcd: "rke.cattle.io/etcd-role",
  controlplane: "rke.cattle.io/control-plane-role",
  worker: "rke.cattle.io/worker-role",
} as const;
/** The node's annotation naming its machine (CAPI writes it on the Kubernetes node; the v3 node copies it). */
export const NODE_MACHINE = "cluster.x-k8s.io/machine";
