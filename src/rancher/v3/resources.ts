/** The shapes of Rancher 2.x `/v3` (norman) resources, as far as enrolling a node reads them. */

export interface Collection<T> {
  data: T[];
  pagination?: { next?: string | null } | null;
}

export interface ClusterResource {
  id: string;
  name?: string;
  state?: string;
  transitioningMessage?: string;
  driver?: string;
  internal?: boolean;
  rancherKubernetesEngineConfig?: object | null;
  annotations?: Record<string, string>;
}

export interface TokenResource {
  id: string;
  name?: string;
  clusterId?: string;
  state?: string;
  created?: string;
  token?: string;
  nodeCommand?: string;
}

export interface Condition {
  type: string;
  status: string;
  message?: string;
  reason?: string;
}

export interface NodeResource {
  id: string;
  uuid?: string;
  clusterId?: string;
  name?: string;
  nodeName?: string;
  requestedHostname?: string;
  hostname?: string;
  ipAddress?: string;
  created?: string;
  state?: string;
  transitioning?: string;
  transitioningMessage?: string;
  etcd?: boolean;
  controlPlane?: boolean;
  worker?: boolean;
  customConfig?: { address?: string; internalAddress?: string } | null;
  conditions?: Condition[] | null;
  links?: { remove?: string };
}

export interface SettingResource {
  id: string;
  value?: string;
}
