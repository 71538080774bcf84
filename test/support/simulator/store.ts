import { randomUUID } from "node:crypto";
import { IdSequence, accessKey, secretKey } from "./ids.js";
import { newLifecycle } from "./lifecycle.js";
import type { ApiKey, Host, Lifecycle, Project, Token } from "./types.js";

export const DEFAULT_PROJECT = { id: "1a5", name: "Default" } as const;
const ADMIN_ACCOUNT_ID = "1a1";

/** An API key: environment keys belong to a project account, account keys to a user. */
export interface KeyRecord extends ApiKey {
  kind: "project" | "user";
  /** Owning account: the project (environment key) or the user. */
  accountId: string;
  admin: boolean;
  memberOf: readonly string[] | "all";
}

export type AgentConnection = "active" | "reconnecting" | "disconnected";

/** The agent account created by `register`; its key pair is what the fake agent pings with. */
export interface Agent {
  id: string;
  accountId: string;
  uri: string;
  registrationKey: string;
  accessKey: string;
  secretKey: string;
  state: "active" | "removed";
  connection: AgentConnection;
}

/** A `register` object; it reveals its agent's key pair once active. */
export interface Register extends Lifecycle {
  kind: "register";
  key: string;
  accountId: string;
  accessKey: string;
  secretKey: string;
}

export class Store {
  readonly ids = new IdSequence({ a: 6 });
  readonly projects = new Map<string, Project>();
  readonly keys: KeyRecord[] = [];
  readonly tokens: Token[] = [];
  readonly agents: Agent[] = [];
  readonly registers: Register[] = [];
  readonly hosts: Host[] = [];
  /** physicalHostUuid reported by agents → physical host id. */
  readonly physicalHosts = new Map<string, string>();
  readonly environmentKey: KeyRecord;
  readonly adminKey: KeyRecord;

  constructor() {
    this.insertProject(DEFAULT_PROJECT.id, DEFAULT_PROJECT.name, "adminProject");
    this.environmentKey = this.addEnvironmentKey(DEFAULT_PROJECT.id);
    this.adminKey = this.insertKey({
      kind: "user",
      accountId: ADMIN_ACCOUNT_ID,
      admin: true,
      memberOf: "all",
    });
  }

  addProject(name: string): Project {
    return this.insertProject(this.ids.id("a"), name, randomUUID());
  }

  requireProject(id: string): Project {
    const project = this.projects.get(id);
    if (!project) throw new Error(`rancher simulator: no project ${id}`);
    return project;
  }

  addEnvironmentKey(projectId: string): KeyRecord {
    this.requireProject(projectId);
    return this.insertKey({ kind: "project", accountId: projectId, admin: false, memberOf: [projectId] });
  }

  addAccountKey(opts: { admin?: boolean; memberOf: string[] }): KeyRecord {
    for (const id of opts.memberOf) this.requireProject(id);
    const user = { kind: "user", accountId: this.ids.id("a"), admin: opts.admin ?? false } as const;
    return this.insertKey({ ...user, memberOf: [...opts.memberOf] });
  }

  findKey(access: string, secret: string): KeyRecord | undefined {
    return this.keys.find((k) => k.accessKey === access && k.secretKey === secret);
  }

  findAgentByCredentials(access: string, secret: string): Agent | undefined {
    return this.agents.find((a) => a.accessKey === access && a.secretKey === secret && a.state === "active");
  }

  hostsOf(projectId: string): Host[] {
    return this.hosts.filter((h) => h.accountId === projectId);
  }

  tokensOf(projectId: string): Token[] {
    return this.tokens.filter((t) => t.accountId === projectId);
  }

  physicalHostId(physicalHostUuid: string): string {
    let id = this.physicalHosts.get(physicalHostUuid);
    if (!id) {
      id = this.ids.id("ph");
      this.physicalHosts.set(physicalHostUuid, id);
    }
    return id;
  }

  private insertProject(id: string, name: string, uuid: string): Project {
    const project: Project = {
      ...newLifecycle(id, "active", false),
      kind: "project",
      name,
      uuid,
      description: null,
      orchestration: "cattle",
      healthState: "healthy",
    };
    this.projects.set(id, project);
    return project;
  }

  private insertKey(fields: Omit<KeyRecord, keyof ApiKey>): KeyRecord {
    const key: KeyRecord = {
      id: this.ids.id("c"),
      accessKey: accessKey(),
      secretKey: secretKey(),
      ...fields,
    };
    this.keys.push(key);
    return key;
  }
}

export function canAccessProject(key: KeyRecord, projectId: string): boolean {
  if (key.kind === "project") return key.accountId === projectId;
  return key.admin || isMember(key, projectId);
}

export function isMember(key: KeyRecord, projectId: string): boolean {
  return key.memberOf === "all" || key.memberOf.includes(projectId);
}

export function publicKey(key: KeyRecord): ApiKey {
  return { id: key.id, accessKey: key.accessKey, secretKey: key.secretKey };
}
