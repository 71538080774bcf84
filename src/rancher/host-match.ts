import { isHostReady, type HostRecord } from "./api.js";

/** What we know about this machine and the environment before the agent was launched. */
export interface HostEvidence {
  /** FQDN and short name, as the agent reports `hostname -f`. */
  hostnames: string[];
  /** The agent IP we told the agent to use, when we did. */
  agentIp?: string;
  /** The environment's hosts just before launch, by id. */
  before: ReadonlyMap<string, HostRecord>;
}

export interface HostMatch {
  host: HostRecord;
  why: string;
}

/**
 * Decides which host is ours. Hostnames are not unique and stale same-named hosts are common, so a name alone
 * never decides: a host must also be new since launch, or one that was down before launch and came back.
 */
export function findOurHost(hosts: readonly HostRecord[], evidence: HostEvidence): HostMatch | undefined {
  const candidates = hosts.filter((host) => sameMachine(host, evidence));
  const fresh = candidates.filter((host) => !evidence.before.has(host.id)).sort(newestFirst);
  if (fresh[0])
    return { host: fresh[0], why: "a host with this machine's name that appeared after the launch" };
  const revived = candidates.filter(
    (host) => isHostReady(host) && !isHostReady(evidence.before.get(host.id)!),
  );
  if (revived.length === 1)
    return { host: revived[0]!, why: "this machine's existing host, reconnected by the launch" };
  return undefined;
}

/** Same-named hosts, for messages when ours is not found. */
export function namesakes(hosts: readonly HostRecord[], evidence: HostEvidence): HostRecord[] {
  return hosts.filter((host) => sameMachine(host, evidence));
}

function sameMachine(host: HostRecord, evidence: HostEvidence): boolean {
  const name = host.hostname.toLowerCase();
  const short = name.split(".")[0];
  const ours = evidence.hostnames.map((n) => n.toLowerCase());
  const nameMatches = ours.includes(name) || ours.some((n) => n.split(".")[0] === short);
  return nameMatches && (!evidence.agentIp || host.agentIpAddress === evidence.agentIp);
}

function newestFirst(a: HostRecord, b: HostRecord): number {
  return Date.parse(b.created) - Date.parse(a.created) || idNumber(b.id) - idNumber(a.id);
}

function idNumber(id: string): number {
  return Number(/\d+$/.exec(id)?.[0] ?? 0);
}
