import { EnrollError } from "../../errors.js";
import type { ServerLine, Target, Wanted } from "../../flows/seam.js";
import type { Logger } from "../../log.js";
import type { ApiClient } from "../http.js";
import { V3Client } from "./client.js";
import { findCluster } from "./clusters.js";
import type { ClusterResource } from "./resources.js";

/**
 * What the drivers of one Rancher 2.x server share: the HTTP client, the server's version, and the line of every
 * cluster found (an RKE1 cluster joins by the `v3` line, a v2-provisioned one by `system-agent`), so that a driver
 * can hand over to the other without asking again.
 */
export class Rancher2Session {
  readonly client: V3Client;
  private version: string | undefined;
  private readonly found = new Map<string, { line: ServerLine; resource: ClusterResource }>();

  constructor(
    readonly http: ApiClient,
    readonly log: Logger,
  ) {
    this.client = new V3Client(http);
  }

  get serverVersion(): string | undefined {
    return this.version ?? this.http.version;
  }

  /** The cluster by id or name, and the line its machines join by; an RKE1 cluster on 2.12+ is refused. */
  async findTarget(wanted: Wanted | undefined): Promise<Target> {
    if (wanted?.word === "environment") {
      throw new EnrollError(
        "usage",
        `--environment is the Rancher 1.6 word, and this server is Rancher 2.x`,
        `Name the cluster instead: --cluster ${wanted.nameOrId} (or RANCHER_CLUSTER, profile key cluster).`,
      );
    }
    this.version = await this.client.rancherVersion();
    const { target, ...found } = await findCluster(this.client, wanted?.nameOrId, wanted?.from, this.version);
    this.found.set(target.id, found);
    return target;
  }

  /** The line of a cluster found in this session; undefined for one it did not look up. */
  lineOf(target: Target): ServerLine | undefined {
    return this.found.get(target.id)?.line;
  }

  /** The cluster as found in this session, else as the server has it now. */
  async cluster(target: Target): Promise<ClusterResource | undefined> {
    return this.found.get(target.id)?.resource ?? (await this.client.cluster(target.id));
  }
}
