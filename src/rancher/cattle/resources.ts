import type { JoinSpec, Member, Target } from "../../flows/seam.js";
import { dictionary, number, object, optional, string, type Infer } from "../../schema.js";

/** Rancher 1.6 (Cattle) resources as API v2-beta answers them, and what the flows see of them. */

export const projectResource = object({ id: string, name: string });
export type ProjectResource = Infer<typeof projectResource>;

export const tokenResource = object({
  id: string,
  state: string,
  token: optional(string),
  registrationUrl: optional(string),
  image: optional(string),
  command: optional(string),
});
export type TokenResource = Infer<typeof tokenResource>;

/** A resource's state and the actions the server offers on it now (`deactivate`, then `remove`). */
const actionableFields = {
  state: optional(string),
  actions: optional(object({ deactivate: optional(string), remove: optional(string) })),
};
export const actionable = object(actionableFields);
export type Actionable = Infer<typeof actionable>;

export const hostResource = object({
  ...actionableFields,
  id: string,
  hostname: optional(string),
  agentState: optional(string),
  agentIpAddress: optional(string),
  /** The agent the host belongs to: one per machine key, it outlives host records deleted on the server. */
  agentId: optional(string),
  labels: optional(dictionary(string)),
  created: optional(string),
  createdTS: optional(number),
  transitioningMessage: optional(string),
});
export type HostResource = Infer<typeof hostResource>;

/** A registration token as listed: its join is there only once it is active. */
export interface TokenRecord {
  id: string;
  state: string;
  join?: JoinSpec;
}

/** Rancher ids are a type prefix and a sequence number: `1h12` was created after `1h9`. */
export function byAge(a: { id: string }, b: { id: string }): number {
  return sequence(a.id) - sequence(b.id);
}

function sequence(id: string): number {
  return Number(/\d+$/.exec(id)?.[0] ?? 0);
}

export function toTarget(project: ProjectResource): Target {
  return { id: project.id, name: project.name };
}

/** A token is usable only once active with all its fields: creation answers before they exist. */
export function toJoin(token: TokenResource): JoinSpec | undefined {
  const { state, token: secret, registrationUrl, image, command } = token;
  if (state !== "active" || !secret || !registrationUrl || !image || !command) return undefined;
  return { id: token.id, secret, url: registrationUrl, image, command };
}

export function toRecord(token: TokenResource): TokenRecord {
  const join = toJoin(token);
  return { id: token.id, state: token.state, ...(join ? { join } : {}) };
}

/** Ready as Rancher itself means it, whichever API version folded the agent's state into `state`. */
export function isHostReady(host: { state: string; agentState: string | null }): boolean {
  return host.state === "active" && (host.agentState === null || host.agentState === "active");
}

export function toMember(host: HostResource): Member {
  const hostname = host.hostname ?? "";
  const state = host.state ?? "unknown";
  const agentState = host.agentState ?? null;
  const agentIpAddress = host.agentIpAddress ?? null;
  const ready = isHostReady({ state, agentState });
  return {
    id: host.id,
    name: hostname,
    state,
    address: agentIpAddress,
    created: host.created ?? new Date(host.createdTS ?? 0).toISOString(),
    identity: host.agentId ?? null,
    registered: true,
    ready,
    ...waiting(state, agentState, host.transitioningMessage),
    labels: host.labels ?? {},
    view: { id: host.id, hostname, state, agentState, agentIpAddress, labels: host.labels ?? {} },
  };
}

/** The agent's state when it says more than the host's, and the server's message. */
function waiting(state: string, agentState: string | null, message?: string | null): { waiting?: string } {
  const text = [agentState && agentState !== state ? `agent ${agentState}` : "", message ?? ""]
    .filter(Boolean)
    .join(": ");
  return text ? { waiting: text } : {};
}
