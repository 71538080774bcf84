/** Public shapes of the Rancher 2.x (`/v3`, norman) simulator: options, records and the control surface. */
import type { RequestLogEntry } from "../types.js";

export interface V3Timings {
  /** 2.6+: the token controller fills in the commands this long after a token is created. */
  tokenCommandMs: number;
  /** A new node: initializing → registering. */
  nodeInitializingMs: number;
  /** From the moment a new cluster has all three roles until it is active and its nodes are registered. */
  clusterProvisioningMs: number;
  /** A node joining an active cluster: registering → active. */
  nodeRegisteringMs: number;
  /** After a DELETE: removing → gone. */
  nodeRemovingMs: number;
}

export type ClusterKind = "rke1" | "rke2";

export interface ClusterSpec {
  name: string;
  kind?: ClusterKind;
  /** Cluster agentEnvVars; those with a value become `-e` flags of the node command. */
  agentEnvVars?: Array<{ name: string; value: string }>;
  /** Already provisioned (as if its first nodes had registered long ago). */
  active?: boolean;
  /** 2.6+ creates `default-token` for every cluster; false models a cluster whose token was deleted. */
  defaultToken?: boolean;
}

export interface ApiTokenSpec {
  /** A cluster-scoped token: only `/v3/clusters/<id>/…` URLs accept it. */
  clusterId?: string;
  /** A disabled or expired token is refused like an unknown one. */
  enabled?: boolean;
}

export interface V3SimulatorOptions {
  port?: number;
  host?: string;
  /** Serve HTTPS with this PEM key and certificate (chain). */
  tls?: { key: string; cert: string };
  /** server-version setting, e.g. "v2.8.15", "v2.5.17", "v2.12.0". */
  version?: string;
  /** server-url setting; default the listen url. "" models an unset server-url (2.6+: empty commands). */
  serverUrl?: string;
  /** cacerts setting (PEM of the private CA, stored trimmed); "" (the default) for a publicly trusted certificate. */
  cacerts?: string;
  /** agent-image setting; default `rancher/rancher-agent:<version>`. */
  agentImage?: string;
  timings?: Partial<V3Timings>;
  /** The body of `GET /system-agent-install.sh` (the test bed's fake installer). */
  installerScript?: string;
  /** Clusters created at start; default one new RKE1 cluster `dev-rke1` and one RKE2 cluster `dev-rke2`. */
  clusters?: ClusterSpec[];
}

export interface ApiToken {
  /** `token-xxxxx` */
  accessKey: string;
  secretKey: string;
  /** `token-xxxxx:secret`, what `Authorization: Bearer` carries. */
  bearer: string;
  clusterId?: string;
}

export type ConditionStatus = "True" | "False" | "Unknown";

export interface Condition {
  type: string;
  status: ConditionStatus;
  message?: string;
  reason?: string;
  lastUpdateTime: string;
}

export interface V3Cluster {
  id: string;
  name: string;
  kind: ClusterKind;
  uuid: string;
  created: string;
  agentEnvVars: Array<{ name: string; value: string }>;
  /** pending: roles missing; provisioning: all roles present, building; active: ready. */
  phase: "pending" | "provisioning" | "active";
}

export interface RegistrationToken {
  /** `<clusterId>:<name>` */
  id: string;
  name: string;
  clusterId: string;
  uuid: string;
  created: string;
  token: string;
  /** False until the (2.6+) controller has written the commands. */
  commandsReady: boolean;
  /**
   * 2.6+: the CA checksum the controller wrote into the commands (the cacerts setting of that moment; a later
   * change of the setting leaves it stale). Before 2.6 the formatter computes it at every read.
   */
  writtenCaChecksum?: string;
}

export interface CustomConfig {
  address: string;
  internalAddress: string;
  label: Record<string, string>;
  taints: string[];
}

export interface V3Node {
  /** `<clusterId>:<name>` */
  id: string;
  /** `m-` + the first 12 hex characters of md5(requestedHostname) for agent-created nodes. */
  name: string;
  clusterId: string;
  uuid: string;
  created: string;
  requestedHostname: string;
  /** The Kubernetes node name; empty until registered. */
  nodeName: string;
  etcd: boolean;
  controlPlane: boolean;
  worker: boolean;
  customConfig: CustomConfig;
  conditions: Condition[];
  /** The Kubernetes node's labels and annotations: empty until registered. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Set by DELETE: the node shows `removing` until it is gone. */
  removing: boolean;
  dockerInfo?: unknown;
  /** Tunnel bookkeeping: open websockets and the last time the agent connected. */
  agent: { sessions: number; lastConnect: number | null };
}

/** A CAPI Machine of a v2-provisioned custom cluster, made from the system agent's machine request. */
export interface CapiMachine {
  /** `custom-` + sha256(machine id)[:12]: the machine-request secret's name, and the machine's. */
  name: string;
  namespace: string;
  uid: string;
  created: string;
  clusterId: string;
  /** The provisioning cluster's name (cluster.x-k8s.io/cluster-name). */
  clusterName: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  etcd: boolean;
  controlPlane: boolean;
  worker: boolean;
  /** The Kubernetes node name the machine will have. */
  nodeName: string;
  phase: "Pending" | "Provisioning" | "Running" | "Deleting";
  /** `status.conditions`: the planner's `Reconciled` while the plan applies (./plans.ts). */
  conditions: Condition[];
}

export interface NodeSeedSpec {
  clusterId: string;
  count?: number;
  /** requestedHostname (and node name once registered); numbered when count > 1. */
  hostname?: string;
  address?: string;
  roles?: Array<"etcd" | "controlplane" | "worker">;
  /** Default true: active and registered, as a node of an earlier machine. */
  registered?: boolean;
  /** Default true: the kubelet reports Ready (false: `unavailable`, the machine is gone). */
  reachable?: boolean;
}

export interface V3FaultSwitches {
  failNext(n: number, status?: number): void;
  rateLimitNext(n: number, retryAfterSeconds: number): void;
  delayResponses(ms: number): void;
  /** Tokens stay without nodeCommand (2.6+) while on. */
  keepTokensWithoutCommand(on: boolean): void;
  /** Nodes stay registering (Registered Unknown) while on, even in an active cluster. */
  keepNodesRegistering(on: boolean): void;
  /** New clusters never finish provisioning while on (their nodes stay registering). */
  keepClustersProvisioning(on: boolean): void;
  /** Deleted nodes stay removing while on. */
  keepNodesRemoving(on: boolean): void;
  /**
   * Nodes that register with Kubernetes while on stay NotReady (Registered True, Ready False: `unavailable`), as
   * a new cluster's kubelets are until the network plugin runs; Ready once released.
   */
  keepKubeletsNotReady(on: boolean): void;
  reset(): void;
}

export interface V3Simulator {
  url: string;
  port: number;
  version: string;
  /** An unscoped API token of the admin. */
  adminToken: ApiToken;
  /** The cluster named `dev-rke1` / `dev-rke2` of the default world, if present. */
  cluster(nameOrId: string): V3Cluster;
  clusters(): V3Cluster[];
  addCluster(spec: ClusterSpec): V3Cluster;
  addApiToken(spec?: ApiTokenSpec): ApiToken;
  /** Adds a registration token the way Rancher itself does (`system`, or a `crt-` one). */
  addRegistrationToken(clusterId: string, name?: string): RegistrationToken;
  registrationTokens(clusterId: string): RegistrationToken[];
  nodes(clusterId: string): V3Node[];
  /** CAPI machines of a v2-provisioned cluster. */
  machines(clusterId: string): CapiMachine[];
  seedNodes(spec: NodeSeedSpec): V3Node[];
  /** The kubelet stops reporting (Ready Unknown → `unavailable`), or reports again. */
  setNodeReachable(nodeId: string, reachable: boolean): void;
  /** The administrator changes the cacerts setting (stored trimmed); commands already written keep their checksum. */
  setCacerts(pem: string): void;
  faults: V3FaultSwitches;
  requests: RequestLogEntry[];
  clearRequests(): void;
  close(): Promise<void>;
}
