import { SERVER_PACE, type Deadline } from "../../deadline.js";
import { EnrollError } from "../../errors.js";
import {
  LINE_WORDS,
  type Evidence,
  type JoinPeek,
  type JoinSpec,
  type Member,
  type MemberMatch,
  type ServerDriver,
  type Target,
} from "../../flows/seam.js";
import { checkCommandChecksum } from "../v3/ca-checksum.js";
import { V3Driver } from "../v3/driver.js";
import { clusterHolds } from "../v3/nodes.js";
import { Rancher2Driver } from "../v3/rancher2-driver.js";
import { obtainJoin, peekJoin, type TokenApi } from "../v3/tokens.js";
import { fetchInstaller, systemAgentJoin } from "./installer.js";
import { MachineClient, type MachineScope } from "./machines.js";
import { identifyMachine, machineMember, nodeOf } from "./members.js";
import type { MachineResource } from "./resources.js";

const OWNER_NAME = "objectset.rio.cattle.io/owner-name";
const OWNER_NAMESPACE = "objectset.rio.cattle.io/owner-namespace";
/** Where Rancher creates provisioning clusters unless told otherwise. */
const DEFAULT_NAMESPACE = "fleet-default";

/**
 * Rancher 2.6+, RKE2/K3s custom clusters: the server side of joining a machine through rancher-system-agent.
 * Tokens as on the `v3` line; the installer downloaded here; members are the cluster's CAPI machines (Steve),
 * each with the v3 node that follows it.
 */
export class SystemAgentDriver extends Rancher2Driver implements ServerDriver {
  readonly line = "system-agent";
  readonly words = LINE_WORDS["system-agent"];
  private readonly machines = new MachineClient(this.http);
  private readonly tokens: TokenApi = {
    client: this.client,
    log: this.log,
    toJoin: systemAgentJoin(this.http.baseUrl),
  };
  private readonly scopes = new Map<string, MachineScope>();

  /** An RKE1 cluster's nodes join through the rancher-agent container: the `v3` driver, same connection. */
  forTarget(cluster: Target): ServerDriver {
    if (this.session.lineOf(cluster) !== "v3") return this;
    return new V3Driver(this.http, this.log, this.session);
  }

  /**
   * The cluster's registration token (reused, else created once per fleet), its command's CA checksum checked
   * against the server's CA, then the installer it names, downloaded: nothing runs before all three hold.
   */
  async obtainJoin(cluster: Target, deadline: Deadline): Promise<{ join: JoinSpec; created: boolean }> {
    const obtained = await obtainJoin(this.tokens, cluster, deadline);
    await checkCommandChecksum(this.client, obtained.join);
    const installer = await fetchInstaller(this.http, this.log, obtained.join);
    return { ...obtained, join: { ...obtained.join, installer } };
  }

  /** What `up` would use; the installer is not downloaded (its URL is in the command). */
  async peekJoin(cluster: Target): Promise<JoinPeek> {
    const peek = await peekJoin(this.tokens, cluster);
    if (peek.join) await checkCommandChecksum(this.client, peek.join);
    return peek;
  }

  /** The system agent runs as a host service, from no image: `prepare` has nothing to pull. */
  async agentImage(): Promise<null> {
    return null;
  }

  async listMembers(cluster: Target): Promise<Member[]> {
    const [machines, nodes] = await Promise.all([
      this.machines.list(await this.scopeOf(cluster)),
      this.client.nodes(cluster.id),
    ]);
    return machines.map((machine) => machineMember(machine, nodeOf(machine, nodes)));
  }

  async getMember(cluster: Target, id: string): Promise<Member | undefined> {
    const machine = await this.machines.get(id);
    if (!machine) return undefined;
    const nodeName = machine.status?.nodeRef?.name;
    const nodes = nodeName ? await this.client.nodes(cluster.id, { nodeName }) : [];
    return machineMember(machine, nodeOf(machine, nodes));
  }

  identify(members: readonly Member[], evidence: Evidence): MemberMatch | undefined {
    return identifyMachine(members, evidence);
  }

  /**
   * What keeps the cluster from running the machine, beyond the machine itself: the roles no machine holds yet
   * (Rancher's planner installs nothing until etcd, control plane and worker each have one), and the cluster's
   * state while it provisions. `machines`: the cluster's, as just listed.
   */
  async whyWaiting(
    cluster: Target,
    _machine: Member,
    machines: readonly Member[],
  ): Promise<string | undefined> {
    const reasons = await clusterHolds(this.client, cluster, machines, "machine");
    return reasons.length ? reasons.join("; ") : undefined;
  }

  /** Deletes the machine (Rancher drains and removes its node with it) and waits until it is gone. */
  async removeMember(_cluster: Target, id: string, deadline: Deadline): Promise<void> {
    const machine = await this.machines.get(id);
    if (!machine) return;
    if (machine.links && !machine.links.remove) {
      throw new EnrollError(
        "auth",
        `the server does not offer to remove machine ${id} (no remove link): the API token may not delete it`,
        "Use a token of a user who may manage the cluster's machines (cluster owner), or remove the machine in the Rancher UI.",
      );
    }
    await this.machines.delete(id);
    let last: MachineResource | undefined = machine;
    await deadline.poll(
      SERVER_PACE,
      async () => {
        last = await this.machines.get(id);
        return last ? undefined : true;
      },
      () =>
        `machine ${id} is still on the server (phase ${last?.status?.phase ?? "unknown"}${last?.metadata.state?.message ? `: ${last.metadata.state.message}` : ""}); Rancher removes a machine once its node is drained and deleted`,
    );
  }

  /** The provisioning cluster behind the management one: its namespace and name label its machines. */
  private async scopeOf(cluster: Target): Promise<MachineScope> {
    const known = this.scopes.get(cluster.id);
    if (known) return known;
    const resource = await this.session.cluster(cluster);
    if (!resource) {
      throw new EnrollError(
        "not-found",
        `cluster ${cluster.name} (${cluster.id}) is no longer on the server`,
        "Check the cluster in the Rancher UI; `rancher-enroll down --force` forgets an enrollment whose cluster is gone.",
      );
    }
    const annotations = resource.annotations ?? {};
    const scope = {
      namespace: annotations[OWNER_NAMESPACE] || DEFAULT_NAMESPACE,
      clusterName: annotations[OWNER_NAME] || cluster.name,
    };
    this.scopes.set(cluster.id, scope);
    return scope;
  }
}
