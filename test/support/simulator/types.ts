/** Public shapes of the Rancher 1.6 simulator: options, raw resource records and the control surface. */

export interface Timings {
  tokenActivationMs: number;
  registerActivationMs: number;
  hostRegisteringMs: number;
  hostActivatingMs: number;
  actionMs: number;
  agentReconnectingAfterMs: number;
  agentDisconnectedAfterMs: number;
  pingIntervalSeconds: number;
}

export interface SimulatorOptions {
  port?: number;
  host?: string;
  /** Rancher's "Host Registration URL" setting (api.host). */
  publicUrl?: string;
  /** Setting bootstrap.required.image, shown as token `image`. */
  agentImage?: string;
  version?: string;
  caFingerprint?: string;
  timings?: Partial<Timings>;
  /** Serve HTTPS with this PEM key and certificate (chain), as a Rancher behind a TLS terminator does. */
  tls?: { key: string; cert: string };
}

export interface ApiKey {
  id: string;
  accessKey: string;
  secretKey: string;
}

export type Transitioning = "yes" | "no" | "error";

/** Fields every stateful Cattle resource carries. */
export interface Lifecycle {
  id: string;
  state: string;
  transitioning: Transitioning;
  transitioningMessage: string | null;
  transitioningProgress: number | null;
  created: string;
  createdTS: number;
  removed: string | null;
  removeTime: string | null;
}

export interface Project extends Lifecycle {
  kind: "project";
  name: string;
  uuid: string;
  description: string | null;
  orchestration: "cattle";
  healthState: "healthy";
}

export interface Token extends Lifecycle {
  kind: "registrationToken";
  accountId: string;
  name: string | null;
  description: string | null;
  uuid: string;
  /** The four fields below appear only once the token has become active. */
  token?: string;
  registrationUrl?: string;
  command?: string;
  image?: string;
}

export interface Host extends Lifecycle {
  kind: "docker";
  accountId: string;
  name: string | null;
  description: string | null;
  hostname: string;
  agentState: string | null;
  agentId: string;
  agentIpAddress: string;
  physicalHostId: string;
  uuid: string;
  /** Docker uuid reported by the agent; shown to admins only. */
  reportedUuid: string;
  labels: Record<string, string>;
  memory: number;
  milliCpu: number;
  localStorageMb: number;
  instanceIds: string[];
}

export interface HostSeedSpec {
  count?: number;
  hostname?: string;
  state?: string;
  agentState?: string | null;
  agentIpAddress?: string;
  labels?: Record<string, string>;
}

export interface RequestLogEntry {
  /** Epoch milliseconds at arrival. */
  time: number;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  status: number;
  /** Basic-auth user (access key); the secret is never recorded. */
  accessKey?: string;
  projectHeader?: string;
  body?: unknown;
}

export interface FaultSwitches {
  failNext(n: number, status?: number): void;
  rateLimitNext(n: number, retryAfterSeconds: number): void;
  delayResponses(ms: number): void;
  keepTokensRegistering(on: boolean): void;
  keepHostsFromActive(on: boolean): void;
  reset(): void;
}

export interface Simulator {
  url: string;
  port: number;
  defaultProject: { id: "1a5"; name: "Default" };
  environmentKey: ApiKey;
  adminKey: ApiKey;
  addProject(name: string): Project;
  addEnvironmentKey(projectId: string): ApiKey;
  addAccountKey(opts: { admin?: boolean; memberOf: string[] }): ApiKey;
  seedHosts(projectId: string, spec: HostSeedSpec): Host[];
  hosts(projectId: string): Host[];
  tokens(projectId: string): Token[];
  faults: FaultSwitches;
  requests: RequestLogEntry[];
  clearRequests(): void;
  close(): Promise<void>;
}
