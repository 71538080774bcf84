import { randomUUID } from "node:crypto";
import { isoSeconds } from "../lifecycle.js";
import { generatedName, machineName, tokenSecret, v2ProvClusterId } from "./ids.js";
import type {
  ApiToken,
  CapiMachine,
  ApiTokenSpec,
  ClusterSpec,
  CustomConfig,
  RegistrationToken,
  V3Cluster,
  V3Node,
} from "./types.js";

export interface ApiTokenRecord extends ApiToken {
  enabled: boolean;
}

export interface NewNode {
  clusterId: string;
  requestedHostname: string;
  roles: Pick<V3Node, "etcd" | "controlPlane" | "worker">;
  customConfig: CustomConfig;
  created?: Date;
}

/** Everything the 2.x simulator knows; mutated by handlers and timers. */
export class V3Store {
  readonly clusters: V3Cluster[] = [];
  readonly tokens: RegistrationToken[] = [];
  readonly nodes: V3Node[] = [];
  readonly apiTokens: ApiTokenRecord[] = [];
  readonly machines: CapiMachine[] = [];

  addCluster(spec: ClusterSpec): V3Cluster {
    if (this.clusters.some((c) => c.name === spec.name)) {
      throw new Error(`rancher v3 simulator: cluster ${spec.name} exists`);
    }
    const kind = spec.kind ?? "rke1";
    const cluster: V3Cluster = {
      id: kind === "rke1" ? generatedName("c-") : v2ProvClusterId(),
      name: spec.name,
      kind,
      uuid: randomUUID(),
      created: isoSeconds(new Date()),
      agentEnvVars: spec.agentEnvVars ?? [],
      phase: spec.active ? "active" : "pending",
    };
    this.clusters.push(cluster);
    return cluster;
  }

  cluster(id: string): V3Cluster | undefined {
    return this.clusters.find((c) => c.id === id);
  }

  /** By id, else by exact name; throws for test code that names a cluster that is not there. */
  requireCluster(nameOrId: string): V3Cluster {
    const cluster = this.cluster(nameOrId) ?? this.clusters.find((c) => c.name === nameOrId);
    if (!cluster) throw new Error(`rancher v3 simulator: no cluster ${nameOrId}`);
    return cluster;
  }

  addApiToken(spec: ApiTokenSpec = {}): ApiTokenRecord {
    if (spec.clusterId !== undefined) this.requireCluster(spec.clusterId);
    const accessKey = generatedName("token-");
    const secretKey = tokenSecret();
    const record: ApiTokenRecord = {
      accessKey,
      secretKey,
      bearer: `${accessKey}:${secretKey}`,
      enabled: spec.enabled ?? true,
      ...(spec.clusterId === undefined ? {} : { clusterId: spec.clusterId }),
    };
    this.apiTokens.push(record);
    return record;
  }

  findApiToken(accessKey: string, secretKey: string): ApiTokenRecord | undefined {
    return this.apiTokens.find((t) => t.accessKey === accessKey && t.secretKey === secretKey);
  }

  tokensOf(clusterId: string): RegistrationToken[] {
    return this.tokens.filter((t) => t.clusterId === clusterId);
  }

  /** The tunnel server's index over every registration token of every cluster. */
  tokenByValue(value: string): RegistrationToken | undefined {
    return value === "" ? undefined : this.tokens.find((t) => t.token === value);
  }

  nodesOf(clusterId: string): V3Node[] {
    return this.nodes.filter((n) => n.clusterId === clusterId);
  }

  node(id: string): V3Node | undefined {
    return this.nodes.find((n) => n.id === id);
  }

  /** A node object as the tunnel server creates it: named `m-<md5(requestedHostname)>`, not yet registered. */
  addNode(fields: NewNode): V3Node {
    const name = machineName(fields.requestedHostname);
    const node: V3Node = {
      id: `${fields.clusterId}:${name}`,
      name,
      uuid: randomUUID(),
      created: isoSeconds(fields.created ?? new Date()),
      nodeName: "",
      conditions: [],
      labels: {},
      annotations: {},
      removing: false,
      agent: { sessions: 0, lastConnect: null },
      ...fields.roles,
      clusterId: fields.clusterId,
      requestedHostname: fields.requestedHostname,
      customConfig: fields.customConfig,
    };
    this.nodes.push(node);
    return node;
  }

  removeNode(node: V3Node): void {
    const index = this.nodes.indexOf(node);
    if (index >= 0) this.nodes.splice(index, 1);
  }
}
