import { EnrollError } from "../../errors.js";
import type { ApiClient } from "../http.js";
import type {
  ClusterResource,
  Collection,
  NodeResource,
  SettingResource,
  TokenResource,
} from "./resources.js";

const PAGE_SIZE = "1000";

/**
 * The `/v3` requests a node's enrollment makes. Once the cluster is known, everything goes through its
 * `/v3/clusters/<id>/…` sub-collections: the only URLs a cluster-scoped API key may use, and good for any key.
 */
export class V3Client {
  constructor(readonly http: ApiClient) {}

  clusters(filter: Record<string, string> = {}): Promise<ClusterResource[]> {
    return this.all<ClusterResource>("v3/clusters", filter);
  }

  cluster(id: string): Promise<ClusterResource | undefined> {
    return this.found(this.http.get<ClusterResource>(`v3/clusters/${segment(id)}`));
  }

  async tokens(clusterId: string): Promise<TokenResource[]> {
    const tokens = await this.all<TokenResource>(this.inCluster(clusterId, "clusterregistrationtokens"));
    // Filter again: a server that ignores a filter answers with every cluster's tokens.
    return tokens.filter((token) => !token.clusterId || token.clusterId === clusterId);
  }

  token(clusterId: string, id: string): Promise<TokenResource | undefined> {
    return this.found(
      this.http.get<TokenResource>(this.inCluster(clusterId, "clusterregistrationtokens", id)),
    );
  }

  /** `name` makes creation idempotent: a second machine creating the same name gets 409 Conflict. */
  createToken(clusterId: string, name: string): Promise<TokenResource> {
    return this.http.post<TokenResource>(this.inCluster(clusterId, "clusterregistrationtokens"), {
      type: "clusterRegistrationToken",
      clusterId,
      name,
    });
  }

  async deleteToken(clusterId: string, id: string): Promise<void> {
    await this.found(this.http.delete(this.inCluster(clusterId, "clusterregistrationtokens", id)));
  }

  async nodes(clusterId: string): Promise<NodeResource[]> {
    const nodes = await this.all<NodeResource>(this.inCluster(clusterId, "nodes"));
    return nodes.filter((node) => !node.clusterId || node.clusterId === clusterId);
  }

  node(clusterId: string, id: string): Promise<NodeResource | undefined> {
    return this.found(this.http.get<NodeResource>(this.inCluster(clusterId, "nodes", id)));
  }

  async deleteNode(clusterId: string, id: string): Promise<void> {
    await this.found(this.http.delete(this.inCluster(clusterId, "nodes", id)));
  }

  async setting(name: string): Promise<string | undefined> {
    return (await this.found(this.http.get<SettingResource>(`v3/settings/${name}`)))?.value;
  }

  /** `/rancherversion` (open): `v2.8.15`; undefined when the server does not say. */
  async rancherVersion(): Promise<string | undefined> {
    const answer = await this.http.get<{ Version?: unknown }>("rancherversion").catch((error: unknown) => {
      if (error instanceof EnrollError && error.kind !== "auth") return undefined;
      throw error;
    });
    return typeof answer?.Version === "string" ? answer.Version : undefined;
  }

  private inCluster(clusterId: string, collection: string, id?: string): string {
    const path = `v3/clusters/${segment(clusterId)}/${collection}`;
    return id === undefined ? path : `${path}/${segment(id)}`;
  }

  /** Every page: `pagination.next` is a full URL, which the HTTP client keeps on our own origin. */
  private async all<T>(path: string, filter: Record<string, string> = {}): Promise<T[]> {
    let page = await this.http.get<Collection<T>>(path, { limit: PAGE_SIZE, ...filter });
    const items = [...page.data];
    while (page.pagination?.next) {
      page = await this.http.get<Collection<T>>(page.pagination.next);
      items.push(...page.data);
    }
    return items;
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
