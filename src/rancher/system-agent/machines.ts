import { EnrollError } from "../../errors.js";
import type { ApiClient } from "../http.js";
import { MAX_PAGES } from "../pages.js";
import { machinePage, machineResource, type MachineResource } from "./resources.js";

const MACHINES = "v1/cluster.x-k8s.io.machines";
const PAGE_SIZE = "1000";

/** Where a v2-provisioned cluster's machines live: the provisioning cluster's namespace and name. */
export interface MachineScope {
  namespace: string;
  clusterName: string;
}

/** CAPI machines through Steve (`/v1/cluster.x-k8s.io.machines`): list by label selector, get, delete. */
export class MachineClient {
  constructor(private readonly http: ApiClient) {}

  /** Every machine of the cluster, page after page (Steve's `continue`, as Kubernetes chunks a list). */
  async list(scope: MachineScope, selector: Record<string, string> = {}): Promise<MachineResource[]> {
    const path = `${MACHINES}/${encodeURIComponent(scope.namespace)}`;
    const labels = { "cluster.x-k8s.io/cluster-name": scope.clusterName, ...selector };
    const labelSelector = Object.entries(labels)
      .map(([key, value]) => `${key}=${value}`)
      .join(",");
    const machines: MachineResource[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    do {
      const page = await this.http.get(path, machinePage, {
        labelSelector,
        limit: PAGE_SIZE,
        ...(token ? { continue: token } : {}),
      });
      machines.push(...page.data);
      token = page.continue || undefined;
      if (token && seen.has(token))
        throw this.http.notTheApi(`GET /${path}: its continue token repeats after ${seen.size + 1} pages`);
      if (token && seen.size + 1 >= MAX_PAGES)
        throw this.http.notTheApi(`GET /${path}: it has more than ${MAX_PAGES} pages`);
      if (token) seen.add(token);
    } while (token);
    // Select again: a server that ignores the selector answers with every machine.
    return machines.filter((machine) =>
      Object.entries(labels).every(([key, value]) => machine.metadata.labels?.[key] === value),
    );
  }

  /** The machine (`<namespace>/<name>`), or undefined once the server no longer has it. */
  async get(id: string): Promise<MachineResource | undefined> {
    try {
      return await this.http.get(this.pathOf(id), machineResource);
    } catch (error) {
      if (error instanceof EnrollError && error.kind === "not-found") return undefined;
      throw error;
    }
  }

  async delete(id: string): Promise<void> {
    try {
      await this.http.delete(this.pathOf(id));
    } catch (error) {
      if (!(error instanceof EnrollError && error.kind === "not-found")) throw error;
    }
  }

  private pathOf(id: string): string {
    return `${MACHINES}/${id.split("/").map(encodeURIComponent).join("/")}`;
  }
}
