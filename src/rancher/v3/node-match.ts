import type { Evidence, Member, MemberMatch } from "../../flows/seam.js";

/** Server and machine clocks are meant to be in sync (Rancher requires it); allow for some drift. */
const CLOCK_SKEW_MS = 30_000;

/**
 * Which node is ours. An RKE1 node's id derives from its name (`m-` + md5), and an agent registering a name the
 * cluster already has takes over that node: so a node of our name that existed before the launch is ours only
 * if an interrupted run of ours created it, or if it became ready only after the launch (our agent took it over).
 */
export function identifyNode(nodes: readonly Member[], evidence: Evidence): MemberMatch | undefined {
  const namesakes = nodes.filter((node) => sameMachine(node, evidence));
  const fresh = namesakes.filter((node) => !evidence.before.has(node.id));
  if (fresh.length)
    return { member: newest(fresh), why: "a node of this machine's name that appeared after the launch" };
  const launchedAt = evidence.unconfirmedLaunchAt && Date.parse(evidence.unconfirmedLaunchAt) - CLOCK_SKEW_MS;
  const fromEarlierLaunch = namesakes.filter((node) => launchedAt && Date.parse(node.created) >= launchedAt);
  if (fromEarlierLaunch.length)
    return {
      member: newest(fromEarlierLaunch),
      why: "a node of this machine's name created by an interrupted earlier run",
    };
  const revived = namesakes.filter((node) => node.ready && !evidence.before.get(node.id)?.ready);
  if (revived.length === 1)
    return { member: revived[0]!, why: "this machine's existing node, brought back by the launch" };
  return undefined;
}

/** The node name (lower-cased, as Rancher keeps it) and, when we passed one, the address must both match. */
function sameMachine(node: Member, evidence: Evidence): boolean {
  const names = evidence.names.map((name) => name.toLowerCase());
  return names.includes(node.name.toLowerCase()) && (!evidence.address || node.address === evidence.address);
}

function newest(nodes: Member[]): Member {
  return [...nodes].sort(
    (a, b) => Date.parse(b.created) - Date.parse(a.created) || b.id.localeCompare(a.id),
  )[0]!;
}
