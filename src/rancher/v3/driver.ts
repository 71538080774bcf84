import type { Deadline } from "../../deadline.js";
import type {
  Evidence,
  JoinPeek,
  JoinSpec,
  Member,
  MemberMatch,
  ServerDriver,
  Target,
} from "../../flows/seam.js";
import { LINE_WORDS } from "../../flows/seam.js";
import { checkCommandChecksum } from "./ca-checksum.js";
import { identifyNode } from "./node-match.js";
import { clusterHolds, listNodes, removeNode, toMember } from "./nodes.js";
import { Rancher2Driver } from "./rancher2-driver.js";
import { obtainJoin, peekJoin, rke1Join, type TokenApi } from "./tokens.js";
import { SystemAgentDriver } from "../system-agent/driver.js";

/** Rancher 2.0 to 2.11, RKE1 custom clusters: the server side of enrolling a node, through `/v3`. */
export class V3Driver extends Rancher2Driver implements ServerDriver {
  readonly line = "v3";
  readonly words = LINE_WORDS.v3;
  private readonly tokens: TokenApi = { client: this.client, log: this.log, toJoin: rke1Join };

  /** An RKE2/K3s cluster's machines join through the system agent: its driver, over the same connection. */
  forTarget(cluster: Target): ServerDriver {
    if (this.session.lineOf(cluster) !== "system-agent") return this;
    return new SystemAgentDriver(this.http, this.log, this.session);
  }

  /** The cluster's registration token (reused, else created once), its node command checked against the CA. */
  async obtainJoin(cluster: Target, deadline: Deadline): Promise<{ join: JoinSpec; created: boolean }> {
    const obtained = await obtainJoin(this.tokens, cluster, deadline);
    await checkCommandChecksum(this.client, obtained.join);
    return obtained;
  }

  async peekJoin(cluster: Target): Promise<JoinPeek> {
    const peek = await peekJoin(this.tokens, cluster);
    if (peek.join) await checkCommandChecksum(this.client, peek.join);
    return peek;
  }

  /** The image of the cluster's node command when it has one (registry prefix included), else the setting. */
  async agentImage(cluster: Target | undefined): Promise<string | undefined> {
    const peek = cluster ? await peekJoin(this.tokens, cluster) : {};
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

  async whyWaiting(cluster: Target, _node: Member, nodes: readonly Member[]): Promise<string | undefined> {
    const reasons = await clusterHolds(this.client, cluster, nodes);
    return reasons.length ? reasons.join("; ") : undefined;
  }

  removeMember(cluster: Target, id: string, deadline: Deadline): Promise<void> {
    return removeNode(this.client, cluster, id, deadline);
  }
}
