import { byAge, isHostReady, type HostRecord } from "./api.js";

/** What we know about this machine and the environment before the agent was launched. */
export interface HostEvidence {
  /** FQDN and short name, as the agent reports `hostname -f`. */
  hostnames: string[];
  /** The agent IP we told the agent to use, when we did. */
  agentIp?: string;
  /** The environment's hosts just before launch, by id. */
  before: ReadonlyMap<string, HostRecord>;
  /** The agent of the host confirmed by an earlier run: one per machine key, so any of its hosts is ours. */
  knownAgentId?: string;
  /** When an earlier run launched the agent without confirming a host (it was interrupted). */
  unconfirmedLaunchAt?: string;
}

export interface HostMatch {
  host: HostRecord;
  why: string;
}

/** Server and machine clocks are meant to be in sync (Rancher requires it); allow for some drift. */
const CLOCK_SKEW_MS = 30_000;

/**
 * Decides which host is ours. Hostnames are not unique and stale same-named hosts are common, so a name alone
 * never decides: the host must belong to our agent, be new since a launch of ours, or have come back after it.
 */
export function findOurHost(hosts: readonly HostRecord[], evidence: HostEvidence): HostMatch | undefined {
  const ofOurAgent = hosts.filter((host) => evidence.knownAgentId && host.agentId === evidence.knownAgentId);
  if (ofOurAgent.length) return { host: newest(ofOurAgent), why: "the host of this machine's agent" };
  const namesakes = hosts.filter((host) => sameMachine(host, evidence));
  const fresh = namesakes.filter((host) => !evidence.before.has(host.id));
  if (fresh.length)
    return { host: newest(fresh), why: "a host with this machine's name that appeared after the launch" };
  const launchedAt = evidence.unconfirmedLaunchAt && Date.parse(evidence.unconfirmedLaunchAt) - CLOCK_SKEW_MS;
  const fromEarlierLaunch = namesakes.filter((host) => launchedAt && Date.parse(host.created) >= launchedAt);
  if (fromEarlierLaunch.length) {
    return {
      host: newest(fromEarlierLaunch),
      why: "a host with this machine's name created by an interrupted earlier run",
    };
  }
  const revived = namesakes.filter(
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

function newest(hosts: HostRecord[]): HostRecord {
  return [...hosts].sort((a, b) => Date.parse(b.created) - Date.parse(a.created) || byAge(b, a))[0]!;
}
