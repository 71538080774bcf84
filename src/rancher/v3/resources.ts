import { anything, array, boolean, dictionary, object, optional, string, type Infer } from "../../schema.js";

/** The shapes of Rancher 2.x `/v3` (norman) resources, as far as enrolling a node reads them. */

export const clusterResource = object({
  id: string,
  name: optional(string),
  state: optional(string),
  transitioningMessage: optional(string),
  driver: optional(string),
  /** Only whether it is there matters: an RKE1 cluster has one. */
  rancherKubernetesEngineConfig: optional(anything),
  annotations: optional(dictionary(string)),
});
export type ClusterResource = Infer<typeof clusterResource>;

export const tokenResource = object({
  id: string,
  name: optional(string),
  clusterId: optional(string),
  state: optional(string),
  created: optional(string),
  token: optional(string),
  nodeCommand: optional(string),
});
export type TokenResource = Infer<typeof tokenResource>;

const condition = object({
  type: string,
  status: string,
  message: optional(string),
});
export type Condition = Infer<typeof condition>;

export const nodeResource = object({
  id: string,
  clusterId: optional(string),
  name: optional(string),
  nodeName: optional(string),
  requestedHostname: optional(string),
  ipAddress: optional(string),
  created: optional(string),
  state: optional(string),
  transitioningMessage: optional(string),
  etcd: optional(boolean),
  controlPlane: optional(boolean),
  worker: optional(boolean),
  customConfig: optional(object({ address: optional(string) })),
  conditions: optional(array(condition)),
  annotations: optional(dictionary(string)),
  links: optional(object({ remove: optional(string) })),
});
export type NodeResource = Infer<typeof nodeResource>;

export const settingResource = object({ id: string, value: optional(string) });
