import type { Deadline } from "../../deadline.js";
import { EnrollError } from "../../errors.js";
import type {
  Evidence,
  JoinPeek,
  JoinSpec,
  Member,
  MemberMatch,
  ServerDriver,
  Target,
  Wanted,
} from "../../flows/seam.js";
import { LINE_WORDS } from "../../flows/seam.js";
import type { Logger } from "../../log.js";
import type { ApiClient } from "../http.js";
import { checkCommandChecksum } from "./ca-checksum.js";
import { V3Client } from "./client.js";
import { findCluster, requireRke1Server } from "./clusters.js";
import { identifyNode } from "./node-match.js";
import { clusterHolds, listNodes, removeNode, toMember } from "./nodes.js";
import { obtainJoin, peekJoin } from "./tokens.js";

/** Rancher 2.0 to 2.11, RKE1 custom clusters: the server side of enrolling a node, through `/v3`. */
export class V3Driver implements ServerDriver {
  readonly line = "v3";
  readonly words = LINE_WORDS.v3;
  private readonly client: V3Client;
  private version: string | undefined;

  constructor(
    private readonly http: ApiClient,
    private readonly log: Logger,
  ) {
    this.client = new V3Client(http);
  }

  get serverVersion(): string | undefined {
    return this.version ?? this.http.version;
  }

  get clientIp(): string | undefined {
    return this.http.clientIp;
  }

  get requestCount(): number {
    return this.http.requestCount;
  }

  async findTarget(wanted: Wanted | undefined): Promise<Target> {
    if (wanted?.word === "environment") {
      throw new EnrollError(
        "usage",
        `--environment is the Rancher 1.6 word, and this server is Rancher 2.x`,
        `Name the cluster instead: --cluster ${wanted.nameOrId} (or RANCHER_CLUSTER, profile key cluster).`,
      );
    }
    this.version = await this.client.rancherVersion();
    requireRke1Server(this.version);
    return findCluster(this.client, wanted?.nameOrId, wanted?.from);
  }

  /** The cluster's registration token (reused, else created once), its node command checked against the CA. */
  async obtainJoin(cluster: Target, deadline: Deadline): Promise<{ join: JoinSpec; created: boolean }> {
    const obtained = await obtainJoin(this.client, this.log, cluster, deadline);
    await checkCommandChecksum(this.client, obtained.join);
    return obtained;
  }

  async peekJoin(cluster: Target): Promise<JoinPeek> {
    const peek = await peekJoin(this.client, cluster);
    if (peek.join) await checkCommandChecksum(this.client, peek.join);
    return peek;
  }

  /** The image of the cluster's node command when it has one (registry prefix included), else the setting. */
  async agentImage(cluster: Target | undefined): Promise<string | undefined> {
    const peek = cluster ? await peekJoin(this.client, cluster) : {};
    return peek.join?.image ?? (await this.client.setting("agent-image"));
  }

  listMembers(cluster: Target): Promise<Member[]> {
    return listNodes(this.client, cluster);
  }

  async getMember(cluster: Target, id: string): Promise<Member | undefined> {
    const node = await this.client.node(cluster.id, id);
    return node && toMember(node);
  }

  identify(nodes: readonly Member[], evidence: Evidence): MemberMatch | undefined {
    return identifyNode(nodes, evidence);
  }

  async whyWaiting(cluster: Target, _node?: Member): Promise<string | undefined> {
    const reasons = await clusterHolds(this.client, cluster);
    return reasons.length ? reasons.join("; ") : undefined;
  }

  removeMember(cluster: Target, id: string, deadline: Deadline): Promise<void> {
    return removeNode(this.client, cluster, id, deadline);
  }
}
