import { EnrollError } from "../../errors.js";
import type { ApiClient } from "../http.js";
import { object, optional, string } from "../../schema.js";
import { allPages } from "../pages.js";
import {
  clusterResource,
  nodeResource,
  settingResource,
  tokenResource,
  type ClusterResource,
  type NodeResource,
  type TokenResource,
} from "./resources.js";

/** `/rancherversion` answers `{"Version": "v2.8.15", …}`. */
const RANCHER_VERSION = object({ Version: optional(string) });

/**
 * The `/v3` requests a node's enrollment makes. Once the cluster is known, everything goes through its
 * `/v3/clusters/<id>/…` sub-collections: the only URLs a cluster-scoped API key may use, and good for any key.
 */
export class V3Client {
  constructor(readonly http: ApiClient) {}

  clusters(filter: Record<string, string> = {}): Promise<ClusterResource[]> {
    return allPages(this.http, "v3/clusters", clusterResource, filter);
  }

  cluster(id: string): Promise<ClusterResource | undefined> {
    return this.found(this.http.get(`v3/clusters/${segment(id)}`, clusterResource));
  }

  async tokens(clusterId: string): Promise<TokenResource[]> {
    const tokens = await allPages(
      this.http,
      this.inCluster(clusterId, "clusterregistrationtokens"),
      tokenResource,
    );
    // Filter again: a server that ignores a filter answers with every cluster's tokens.
    return tokens.filter((token) => !token.clusterId || token.clusterId === clusterId);
  }

  token(clusterId: string, id: string): Promise<TokenResource | undefined> {
    return this.found(
      this.http.get(this.inCluster(clusterId, "clusterregistrationtokens", id), tokenResource),
    );
  }

  /** `name` makes creation idempotent: a second machine creating the same name gets 409 Conflict. */
  createToken(clusterId: string, name: string): Promise<TokenResource> {
    return this.http.post(this.inCluster(clusterId, "clusterregistrationtokens"), tokenResource, {
      type: "clusterRegistrationToken",
      clusterId,
      name,
    });
  }

  async deleteToken(clusterId: string, id: string): Promise<void> {
    await this.found(this.http.delete(this.inCluster(clusterId, "clusterregistrationtokens", id)));
  }

  async nodes(clusterId: string, filter: Record<string, string> = {}): Promise<NodeResource[]> {
    const nodes = await allPages(this.http, this.inCluster(clusterId, "nodes"), nodeResource, filter);
    return nodes.filter((node) => !node.clusterId || node.clusterId === clusterId);
  }

  node(clusterId: string, id: string): Promise<NodeResource | undefined> {
    return this.found(this.http.get(this.inCluster(clusterId, "nodes", id), nodeResource));
  }

  async deleteNode(clusterId: string, id: string): Promise<void> {
    await this.found(this.http.delete(this.inCluster(clusterId, "nodes", id)));
  }

  async setting(name: string): Promise<string | undefined> {
    return (await this.found(this.http.get(`v3/settings/${name}`, settingResource)))?.value;
  }

  /** `/rancherversion` (open): `v2.8.15`; undefined when the server does not say. */
  async rancherVersion(): Promise<string | undefined> {
    const answer = await this.http.get("rancherversion", RANCHER_VERSION).catch((error: unknown) => {
      if (error instanceof EnrollError && error.kind !== "auth") return undefined;
      throw error;
    });
    return answer?.Version;
  }

  private inCluster(clusterId: string, collection: string, id?: string): string {
    const path = `v3/clusters/${segment(clusterId)}/${collection}`;
    return id === undefined ? path : `${path}/${segment(id)}`;
  }

  /** The resource, or undefined when the server answers 404. */
  private async found<T>(request: Promise<T>): Promise<T | undefined> {
    try {
      return await request;
    } catch (error) {
      if (error instanceof EnrollError && error.kind === "not-found") return undefined;
      throw error;
    }
  }
}

/** Ids of namespaced resources are `<cluster>:<name>`: the colon stays readable, anything else is escaped. */
function segment(id: string): string {
  return encodeURIComponent(id).replace(/%3A/g, ":");
}
