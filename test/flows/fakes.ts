// In-memory stand-ins for the two sides of the seam: a server driver that keeps its members and tokens in arrays,
// and a node agent whose `install` makes a member appear on that server, as a real agent's registration would.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import type { UpSettings } from "../../src/config/settings.js";
import { Deadline } from "../../src/deadline.js";
import { EnrollError } from "../../src/errors.js";
import type { AgentFor, Connect } from "../../src/flows/connection.js";
import {
  LINE_WORDS,
  type AgentPlan,
  type AgentState,
  type Evidence,
  type Installed,
  type JoinPeek,
  type JoinSpec,
  type Member,
  type MemberMatch,
  type NodeAgent,
  type NodeOptions,
  type ServerDriver,
  type ServerLine,
  type Target,
  type Wanted,
  type Words,
} from "../../src/flows/seam.js";
import { EnrollmentStore } from "../../src/state/enrollment.js";

export const URL = "https://rancher.test";
export const DEFAULT: Target = { id: "1a5", name: "Default" };
export const PROD: Target = { id: "1a7", name: "Prod" };
export const MACHINE = "node-1";
export const log = pino({ level: "silent" });

/** Every call the flows made on a fake, by method name, in order. */
class Recorder {
  readonly calls: string[] = [];

  protected record(method: string): void {
    this.calls.push(method);
  }

  /** The calls that change something. */
  changes(names: readonly string[]): string[] {
    return this.calls.filter((call) => names.includes(call));
  }
}

export function member(id: string, fields: Partial<Member> = {}): Member {
  const base = {
    id,
    name: MACHINE,
    state: "active",
    address: "10.0.0.1",
    created: new Date().toISOString(),
    identity: null,
    registered: true,
    ready: true,
    ...fields,
  };
  return { ...base, view: { id, state: base.state, hostname: base.name } };
}

export class FakeServer extends Recorder implements ServerDriver {
  readonly words: Words;
  readonly serverVersion = "v1.6.30";
  readonly clientIp = "10.0.0.1";
  targets = [DEFAULT, PROD];
  tokens: JoinSpec[] = [];
  members: Member[] = [];
  /** Set to make every request fail, as an unreachable server does. */
  unreachable = false;
  /** Set to make removals fail, as a server that answers reads and then breaks does. */
  failRemoval = false;
  /** The driver of the targets' own line, when it is another (a 2.x server's RKE2 cluster). */
  handOver?: FakeServer;

  constructor(readonly line: ServerLine = "cattle") {
    super();
    this.words = LINE_WORDS[line];
  }

  get requestCount(): number {
    return this.calls.length;
  }

  async findTarget(wanted: Wanted | undefined): Promise<Target> {
    this.request("findTarget");
    const found = wanted ? this.targets.find((t) => [t.id, t.name].includes(wanted.nameOrId)) : DEFAULT;
    if (!found) throw new EnrollError("not-found", `environment "${wanted?.nameOrId}" not found`);
    return found;
  }

  forTarget(): ServerDriver {
    return this.handOver ?? this;
  }

  async obtainJoin(): Promise<{ join: JoinSpec; created: boolean }> {
    this.request("obtainJoin");
    const [existing] = this.tokens;
    if (existing) return { join: existing, created: false };
    const join = { id: "1c1", secret: "SECRET-TOKEN", command: "docker run …", image: "agent:1", url: "u" };
    this.tokens.push(join);
    return { join, created: true };
  }

  async peekJoin(): Promise<JoinPeek> {
    this.request("peekJoin");
    return this.tokens[0] ? { join: this.tokens[0] } : {};
  }

  async agentImage(): Promise<string | null | undefined> {
    this.request("agentImage");
    return "agent:from-server";
  }

  async listMembers(): Promise<Member[]> {
    this.request("listMembers");
    return [...this.members];
  }

  async getMember(_target: Target, id: string): Promise<Member | undefined> {
    this.request("getMember");
    return this.members.find((m) => m.id === id);
  }

  /** New since the launch with our name, or of our identity. */
  identify(members: readonly Member[], evidence: Evidence): MemberMatch | undefined {
    const found = members.find(
      (m) =>
        (evidence.knownIdentity && m.identity === evidence.knownIdentity) ||
        (evidence.names.includes(m.name) && !evidence.before.has(m.id)),
    );
    return found && { member: found, why: "fake" };
  }

  async whyWaiting(): Promise<string | undefined> {
    return undefined;
  }

  async removeMember(_target: Target, id: string): Promise<void> {
    this.request("removeMember");
    if (this.failRemoval) throw new EnrollError("server", "POST …?action=deactivate answered 500");
    this.members = this.members.filter((m) => m.id !== id);
  }

  private request(method: string): void {
    this.record(method);
    if (this.unreachable) throw new EnrollError("server", `cannot reach the Rancher server at ${URL}`);
  }
}

export class FakeAgent extends Recorder implements NodeAgent {
  readonly name = "the fake agent";
  readonly optionFlags = ["--agent-ip"];
  leavesOnceJoined = false;
  state: AgentState = { present: false, running: false };
  /** What the member looks like once registered; `ready: false` keeps it from becoming ready. */
  registers: Partial<Member> = {};
  /** The identity `install` answers, as the system agent does with its machine id. */
  installs?: string;
  /** Answers of `lostCredentials`, one per call. */
  lost: boolean[] = [];
  /** What `crashLoop` answers: the agent keeps exiting, saying this. */
  looping?: string;
  preflightError?: EnrollError;
  /** What `inspect` throws instead of answering (no engine on the machine). */
  inspectError?: EnrollError;
  private next = 1;

  constructor(
    private readonly server: FakeServer,
    readonly line: ServerLine = "cattle",
  ) {
    super();
  }

  async preflight(): Promise<void> {
    this.record("preflight");
    if (this.preflightError) throw this.preflightError;
  }

  async announceAddress(): Promise<void> {}

  async names(): Promise<string[]> {
    return [MACHINE];
  }

  async describe(join: JoinSpec): Promise<AgentPlan> {
    this.record("describe");
    return { image: join.image, imagePresent: false, command: `run ${join.image} ***` };
  }

  async provision(): Promise<{ imagePulled: boolean }> {
    this.record("provision");
    return { imagePulled: true };
  }

  async prefetch(): Promise<boolean> {
    this.record("prefetch");
    return true;
  }

  async install(_join: JoinSpec, options: NodeOptions): Promise<Installed> {
    this.record("install");
    this.state = { present: true, running: true, image: "agent:1" };
    const id = `1h${100 + this.next++}`;
    // As Rancher 1.6 does, the server adds labels of its own to those the agent registers with.
    const labels = { ...options.labels, "io.rancher.host.os": "linux" };
    this.server.members.push(
      member(id, {
        address: options.address ?? "10.0.0.1",
        labels,
        identity: this.installs ?? null,
        ...this.registers,
      }),
    );
    return { imagePulled: false, ...(this.installs ? { identity: this.installs } : {}) };
  }

  async inspect(): Promise<AgentState> {
    if (this.inspectError) throw this.inspectError;
    return this.state;
  }

  async lostCredentials(): Promise<boolean> {
    return this.lost.shift() ?? false;
  }

  async crashLoop(): Promise<string | undefined> {
    return this.looping;
  }

  async stop(): Promise<void> {
    this.record("stop");
    this.state = { ...this.state, running: false };
  }

  async remove(): Promise<string[]> {
    this.record("remove");
    const removed = this.state.present ? ["rancher-agent"] : [];
    this.state = { present: false, running: false };
    return removed;
  }

  async purge(): Promise<string[]> {
    this.record("purge");
    return ["/var/lib/rancher/state"];
  }
}

/** One machine: a server, an agent on it, a state folder of its own. */
export interface World {
  server: FakeServer;
  agent: FakeAgent;
  store: EnrollmentStore;
  connect: Connect;
  agentFor: AgentFor;
  /** Lines the flows asked for, in order (`undefined`: none recorded). */
  connections: (string | undefined)[];
  cleanup(): Promise<void>;
}

export async function world(): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), "flows-"));
  const server = new FakeServer();
  const agent = new FakeAgent(server);
  const connections: (string | undefined)[] = [];
  return {
    server,
    agent,
    store: new EnrollmentStore(dir),
    connections,
    connect: async (recorded) => {
      connections.push(recorded);
      return { url: URL, driver: server };
    },
    agentFor: async () => agent,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export function upSettings(fields: Partial<UpSettings> = {}): UpSettings {
  return {
    server: {
      url: URL,
      credentials: { accessKey: "key", secretKey: "secret" },
      credentialsFrom: "RANCHER_ACCESS_KEY and RANCHER_SECRET_KEY",
      insecure: false,
    },
    labels: {},
    node: { roles: ["worker"], taints: [], waitFor: "active" },
    nodeFlagsGiven: [],
    timeoutSeconds: 5,
    waitForDockerSeconds: 1,
    dryRun: false,
    ...fields,
  };
}

export function deadline(seconds = 5): Deadline {
  return new Deadline(seconds);
}
