/**
 * The seam every flow (`up`, `status`, `down`, `prepare`) runs over. A flow knows neither the server's API
 * generation nor how the agent runs: it talks to one `ServerDriver` (one per server line) and one `NodeAgent`
 * (one per way of running an agent), chosen once from the URL and what the server answers (`rancher/detect.ts`).
 *
 * Lines, on paper:
 * - `cattle` (Rancher 1.6, API v2-beta): target = environment, member = host, join = registration token whose
 *   command runs the bootstrap container (`agents/bootstrap-agent.ts`); identity = the host's agentId.
 * - `v3` (Rancher 2.0-2.11, RKE1 custom cluster): target = cluster, member = node, join = cluster registration
 *   token whose `nodeCommand` runs `rancher/rancher-agent` (`agents/rancher-agent.ts`), `caChecksum` from it.
 * - `system-agent` (Rancher 2.6+, RKE2/K3s custom cluster): target = cluster, member = CAPI machine (with the v3
 *   node that follows it), join = the same token whose command is `curl …/system-agent-install.sh | sh -s - …` (no
 *   image): the driver downloads the installer over the run's verified TLS into `JoinSpec.installer`; the agent
 *   checks root and systemd in `preflight`, runs it, and `install` answers the machine id (CATTLE_ID) as
 *   `identity`, which `identify` matches on (the machine's `rke.cattle.io/machine-id` label).
 *
 * On a Rancher 2.x server the line is the cluster's, not the server's: `v3` for an RKE1 cluster, `system-agent`
 * for a v2-provisioned (RKE2/K3s, `c-m-…`) one. The two drivers share one connection (`rancher/v3/session.ts`);
 * `findTarget` learns the cluster's line, and `forTarget` hands over to the driver of that line. A flow calls
 * `forTarget` right after `findTarget` and, when the line changed, takes that line's agent (`agentOfLine`).
 * A line recorded with an enrollment connects straight to its driver.
 */
import type { Deadline } from "../deadline.js";
import { EnrollError, type ErrorKind } from "../errors.js";
import type { CaCertificate } from "../config/ca-cert.js";

export type ServerLine = "cattle" | "v3" | "system-agent";

/** The line's own words, for messages and for the keys of the JSON results (`host` or `node`, …). */
export interface Words {
  /** "environment" (1.6) or "cluster" (2.x). */
  target: "environment" | "cluster";
  /** "host" (1.6) or "node" (2.x). */
  member: "host" | "node";
  /** The option that names the target: `--environment` or `--cluster`. */
  targetFlag: "--environment" | "--cluster";
  /** The option that gives the address the member registers: `--agent-ip` or `--address`. */
  addressFlag: "--agent-ip" | "--address";
  /** The server, as messages name it: "Rancher 1.6", "Rancher 2.x". */
  server: string;
}

export const LINE_WORDS: Readonly<Record<ServerLine, Words>> = {
  cattle: {
    target: "environment",
    member: "host",
    targetFlag: "--environment",
    addressFlag: "--agent-ip",
    server: "Rancher 1.6",
  },
  v3: {
    target: "cluster",
    member: "node",
    targetFlag: "--cluster",
    addressFlag: "--address",
    server: "Rancher 2.x",
  },
  "system-agent": {
    target: "cluster",
    member: "node",
    targetFlag: "--cluster",
    addressFlag: "--address",
    server: "Rancher 2.x",
  },
};

/** What the user asked for, and under which word (the wrong word for the server is a usage error). */
export interface Wanted {
  nameOrId: string;
  word: Words["target"];
  /** Where the name came from (`--environment`, a variable, a profile's file and line): what a hint says to check. */
  from?: string;
}

/** A 1.6 environment or a 2.x cluster. */
export interface Target {
  id: string;
  name: string;
}

/**
 * `findTarget`'s error when it cannot tell which target is meant (none given among several, a name not found or
 * ambiguous): `choices` are the targets its message lists, for a person to choose from (`configure` on a terminal).
 */
export class TargetNotChosen extends EnrollError {
  constructor(
    kind: ErrorKind,
    message: string,
    hint: string,
    readonly choices: readonly Target[],
  ) {
    super(kind, message, hint);
  }
}

/** What a new machine needs to join the target: one per fleet, reused by every machine. */
export interface JoinSpec {
  /** The registration token's id on the server (not secret). */
  id: string;
  /** What a new machine presents to register: masked wherever we print or log. */
  secret: string;
  /** The server's own join command: the authority for how the agent runs (parsed, never rebuilt). */
  command: string;
  /** The image the agent runs, when it runs as a container. */
  image?: string;
  /** Where the agent registers: 1.6's registration URL (holds the secret); 2.x's server URL. */
  url?: string;
  /** The CA checksum the command pins, when it pins one (2.x). */
  caChecksum?: string;
  /**
   * The system agent's installer, fetched by the driver over the run's verified TLS (never `curl | sh`). Absent
   * in a dry run's peek (`peekJoin` downloads nothing): the command names its URL, which is what a plan shows.
   */
  installer?: Installer;
}

/** The install script the server's node command downloads, as the driver fetched it. */
export interface Installer {
  /** Where the node command downloads it from (on the server the user named). */
  url: string;
  script: string;
  /** sha256 of the script, hex: logged, so that a user can compare it with the server's. */
  sha256: string;
}

/** A dry run's look at the join: never creates anything. */
export interface JoinPeek {
  /** The join that `obtainJoin` would reuse. */
  join?: JoinSpec;
  /** A token on its way to usable, that `obtainJoin` would wait for. */
  pendingId?: string;
}

/** A host (1.6) or node (2.x) as the server lists it. */
export interface Member {
  id: string;
  /** The host's hostname or the node's name. */
  name: string;
  state: string;
  /** The address it registered with, once known. */
  address: string | null;
  /** ISO time of creation on the server. */
  created: string;
  /** What outlives member records on the server (1.6: the agent id; system-agent: the machine id), if any. */
  identity: string | null;
  /** Known to the server as a member (2.x: the Registered condition). */
  registered: boolean;
  /** Ready as the server itself means it: what `up` waits for by default. */
  ready: boolean;
  /** Why it is not ready yet, in the server's words, when it says. */
  waiting?: string;
  /** The roles it holds, on a line whose members have roles (2.x). */
  roles?: readonly Role[];
  /** Its labels, when the line keeps those `up` gives (1.6 host labels): a re-run compares them. */
  labels?: Readonly<Record<string, string>>;
  /** What results and `status` show of it: its id, state and the line's own fields (labels, roles, …). */
  view: MemberView;
}

export type MemberView = { id: string; state: string } & Record<string, unknown>;

/** What we know before the launch, to find *our* member afterwards: never a stale one of the same name. */
export interface Evidence {
  /** The names the agent registers under (hostname -f and the short name; the node name). */
  names: string[];
  /** The address we told the agent to register, when we did. */
  address?: string;
  /** The target's members just before the launch, by id. */
  before: ReadonlyMap<string, Member>;
  /** The identity of the member an earlier run confirmed, or that the agent reported at install. */
  knownIdentity?: string;
  /** When an earlier run launched the agent without confirming a member (it was interrupted). */
  unconfirmedLaunchAt?: string;
}

export interface MemberMatch {
  member: Member;
  /** Which evidence decided, for the log. */
  why: string;
}

/** One server line's API, as the flows need it. Knows nothing of Docker. */
export interface ServerDriver {
  readonly line: ServerLine;
  /** `LINE_WORDS[line]`. */
  readonly words: Words;
  /** As the server reports it, once it answered. */
  readonly serverVersion: string | undefined;
  /** The address the server sees our requests come from, once it answered (1.6 registers it by default). */
  readonly clientIp: string | undefined;
  readonly requestCount: number;

  /**
   * The environment or cluster: by id or name; without one, the only one the credentials can see. Else throws
   * `TargetNotChosen`, listing those they see.
   */
  findTarget(wanted: Wanted | undefined): Promise<Target>;
  /**
   * The driver for a target `findTarget` found: this one, or, when the target joins by another line of the same
   * server (2.x: RKE1 `v3`, RKE2/K3s `system-agent`), that line's driver over the same connection.
   */
  forTarget(target: Target): ServerDriver;
  /**
   * Reuses the target's registration token; creates one only when there is none, once per fleet (machines
   * booting together end with one token). Waits until it is usable.
   */
  obtainJoin(target: Target, deadline: Deadline): Promise<{ join: JoinSpec; created: boolean }>;
  /** What `obtainJoin` would use, for a dry run: never creates or removes anything. */
  peekJoin(target: Target): Promise<JoinPeek>;
  /**
   * The agent image the server wants, without creating anything (for `prepare`); undefined when it cannot tell,
   * null when the target's agent runs from no image (the system agent: a host service), so nothing is to pull.
   */
  agentImage(target: Target | undefined): Promise<string | null | undefined>;
  /** Every member of the target (all pages). */
  listMembers(target: Target): Promise<Member[]>;
  /** The member, or undefined when the server no longer has it. */
  getMember(target: Target, id: string): Promise<Member | undefined>;
  /** Which member is this machine's, by evidence (a name alone never decides). */
  identify(members: readonly Member[], evidence: Evidence): MemberMatch | undefined;
  /**
   * Why the member cannot become ready yet beyond its own state (2.x: roles the cluster lacks), if known; `members`
   * are the target's members as just listed.
   */
  whyWaiting(target: Target, member: Member, members: readonly Member[]): Promise<string | undefined>;
  /** Takes the member out of the target the way the server allows, and waits until it is gone. */
  removeMember(target: Target, id: string, deadline: Deadline): Promise<void>;
}

export type Role = "etcd" | "controlplane" | "worker";

/** How this machine joins, beyond the join spec: each agent uses the options its line has. */
export interface NodeOptions {
  /** The address to register (1.6 `--agent-ip`; 2.x `--address`). */
  address?: string;
  internalAddress?: string;
  nodeName?: string;
  roles?: Role[];
  labels: Record<string, string>;
  taints?: string[];
  /** A private CA the agent must trust. */
  caCert?: CaCertificate;
  /** Our process environment: proxy variables pass through to the agent. */
  env: Readonly<Record<string, string | undefined>>;
}

/** What a dry run shows of the agent: the image and the equivalent command, secrets masked. */
export interface AgentPlan {
  image?: string;
  imagePresent?: boolean;
  /** The equivalent command line a user could run, secrets masked. */
  command?: string;
}

/** The agent on this machine, as the machine shows it. */
export interface AgentState {
  present: boolean;
  running: boolean;
  image?: string;
  startedAt?: string;
}

export interface Installed {
  /** The agent image had to be pulled. */
  imagePulled: boolean;
  /** The identity the agent registers with, when the agent knows it before the server does. */
  identity?: string;
}

/** One way of running the agent on this machine (1.6 bootstrap container, 2.x rancher-agent, system agent). */
export interface NodeAgent {
  /** The server line whose agent this is. */
  readonly line: ServerLine;
  /** How messages name it: "the rancher-agent container". */
  readonly name: string;
  /** The options of `up` that only this line's agent takes (`--agent-ip`; `--role`, `--node-name`, …). */
  readonly optionFlags: readonly string[];
  /**
   * The server removes the agent once the member is up (Rancher 2.x's node agent removes every container
   * labelled io.cattle.agent=true once the cluster runs): its absence then is normal, not a reason to relaunch.
   */
  readonly leavesOnceJoined: boolean;
  /** What must hold before any change (Docker answers; or root and systemd), within `--wait-for-docker`. */
  preflight(deadline: Deadline): Promise<void>;
  /** Says (logs) which address the agent will register, and warns when that looks wrong; `serverSees`: our address as the server sees it. */
  announceAddress(options: NodeOptions, serverSees: string | undefined): Promise<void>;
  /** The names the agent will register this machine under. */
  names(options: NodeOptions): Promise<string[]>;
  /** What a dry run shows; reads only. */
  describe(join: JoinSpec, options: NodeOptions): Promise<AgentPlan>;
  /** Gets what the agent needs in place (image, CA) before the launch; idempotent. */
  provision(join: JoinSpec, options: NodeOptions, deadline: Deadline): Promise<{ imagePulled: boolean }>;
  /** Gets the agent's image onto the machine ahead of time (image builds); answers whether it was pulled. */
  prefetch(image: string): Promise<boolean>;
  /** Launches the agent with the join; removes leftovers of an interrupted run first. */
  install(join: JoinSpec, options: NodeOptions, deadline: Deadline): Promise<Installed>;
  inspect(): Promise<AgentState>;
  /** The agent says the server no longer knows its credentials: it must be launched again. */
  lostCredentials(): Promise<boolean>;
  /** Why the agent keeps exiting (a container restarted again and again), in its own last lines; if it does. */
  crashLoop?(): Promise<string | undefined>;
  /** Stops the agent, so that it cannot bring its member back while it is removed. */
  stop(): Promise<void>;
  /** Removes what the agent runs on this machine; answers what was removed. */
  remove(deadline: Deadline): Promise<string[]>;
  /**
   * Forgets the machine's identity so that the next enrollment makes a new member; answers what was removed.
   * `images`: those the agent ran here (recorded, or seen before removal), to run the clean-up with.
   */
  purge(images: string[], deadline: Deadline): Promise<string[]>;
}
