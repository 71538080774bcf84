import type { Evidence, Member, MemberMatch } from "../../flows/seam.js";
import { byAge } from "./resources.js";

/** Server and machine clocks are meant to be in sync (Rancher requires it); allow for some drift. */
const CLOCK_SKEW_MS = 30_000;

/**
 * Decides which host is ours. Hostnames are not unique and stale same-named hosts are common, so a name alone
 * never decides: the host must belong to our agent, be new since a launch of ours, or have come back after it.
 */
export function findOurHost(hosts: readonly Member[], evidence: Evidence): MemberMatch | undefined {
  const ofOurAgent = hosts.filter(
    (host) => evidence.knownIdentity && host.identity === evidence.knownIdentity,
  );
  if (ofOurAgent.length) return { member: newest(ofOurAgent), why: "the host of this machine's agent" };
  const namesakes = hosts.filter((host) => sameMachine(host, evidence));
  const fresh = namesakes.filter((host) => !evidence.before.has(host.id));
  if (fresh.length)
    return { member: newest(fresh), why: "a host with this machine's name that appeared after the launch" };
  const launchedAt = evidence.unconfirmedLaunchAt && Date.parse(evidence.unconfirmedLaunchAt) - CLOCK_SKEW_MS;
  const fromEarlierLaunch = namesakes.filter((host) => launchedAt && Date.parse(host.created) >= launchedAt);
  if (fromEarlierLaunch.length) {
    return {
      member: newest(fromEarlierLaunch),
      why: "a host with this machine's name created by an interrupted earlier run",
    };
  }
  const revived = namesakes.filter((host) => host.ready && !evidence.before.get(host.id)!.ready);
  if (revived.length === 1)
    return { member: revived[0]!, why: "this machine's existing host, reconnected by the launch" };
  return undefined;
}

function sameMachine(host: Member, evidence: Evidence): boolean {
  const name = host.name.toLowerCase();
  const short = name.split(".")[0];
  const ours = evidence.names.map((n) => n.toLowerCase());
  const nameMatches = ours.includes(name) || ours.some((n) => n.split(".")[0] === short);
  return nameMatches && (!evidence.address || host.address === evidence.address);
}

function newest(hosts: Member[]): Member {
  return [...hosts].sort((a, b) => Date.parse(b.created) - Date.parse(a.created) || byAge(b, a))[0]!;
}
