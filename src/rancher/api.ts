import type { Deadline } from "../deadline.js";

/** A Rancher 1.6 environment (API type `project`) or, later, a 2.x cluster. */
export interface Target {
  id: string;
  name: string;
}

/** What a new host needs to join the target. */
export interface Registration {
  id: string;
  token: string;
  registrationUrl: string;
  image: string;
  /** The server's own "Add Host" command: the authority for how the agent is run. */
  command: string;
}

/** A registration token as listed: its fields are there only once it is active. */
export interface TokenRecord {
  id: string;
  state: string;
  registration?: Registration;
}

export interface HostRecord {
  id: string;
  hostname: string;
  state: string;
  agentState: string | null;
  agentIpAddress: string | null;
  /** The agent the host belongs to: one per machine key, it outlives host records deleted on the server. */
  agentId: string | null;
  labels: Record<string, string>;
  created: string;
  transitioningMessage: string | null;
}

/** The part of a Rancher server's API that enrolling a host touches, whatever the API generation. */
export interface RancherApi {
  readonly serverVersion: string | undefined;
  /** The address the server sees this machine's requests come from, once it has answered one. */
  readonly clientIp: string | undefined;
  readonly requestCount: number;
  findTarget(nameOrId: string | undefined): Promise<Target>;
  /** The target's registration tokens that are not being removed, oldest first. */
  listRegistrations(target: Target): Promise<TokenRecord[]>;
  /** Asks for a new token, once (creation is not idempotent); answers its id. */
  createRegistration(target: Target): Promise<string>;
  /** Waits until the token is active with all its fields. */
  waitForRegistration(target: Target, id: string, deadline: Deadline): Promise<Registration>;
  removeRegistration(target: Target, id: string, deadline: Deadline): Promise<void>;
  listHosts(target: Target): Promise<HostRecord[]>;
  /** The host, or undefined when the server no longer has it (removed or purged). */
  getHost(target: Target, id: string): Promise<HostRecord | undefined>;
  /** Takes the host out of the target the way the server allows, and waits until it is gone. */
  removeHost(target: Target, id: string, deadline: Deadline): Promise<void>;
}

/** Ready as Rancher itself means it, whichever API version folded the agent's state into `state`. */
export function isHostReady(host: Pick<HostRecord, "state" | "agentState">): boolean {
  return host.state === "active" && (host.agentState === null || host.agentState === "active");
}

/** Rancher ids are a type prefix and a sequence number: `1h12` was created after `1h9`. */
export function byAge(a: { id: string }, b: { id: string }): number {
  return sequence(a.id) - sequence(b.id);
}

function sequence(id: string): number {
  return Number(/\d+$/.exec(id)?.[0] ?? 0);
}
