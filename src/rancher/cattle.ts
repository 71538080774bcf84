import type { Deadline } from "../deadline.js";
import { EnrollError } from "../errors.js";
import type { Logger } from "../log.js";
import type { HostRecord, RancherApi, Registration, Target } from "./api.js";
import type { ApiClient } from "./http.js";

/** Rancher 1.6 (Cattle), spoken through API v2-beta. */

interface Collection<T> {
  data: T[];
  pagination?: { next?: string | null } | null;
}

interface ProjectResource {
  id: string;
  name: string;
  state: string;
}

interface TokenResource {
  id: string;
  state: string;
  links: { self: string };
  token?: string | null;
  registrationUrl?: string | null;
  image?: string | null;
  command?: string | null;
}

type HostResource = Partial<HostRecord> & {
  id: string;
  createdTS?: number;
  links?: { self?: string };
  actions?: { deactivate?: string; remove?: string };
};

const API = "v2-beta";
const PROJECT_ID = /^1a\d+$/;
const TOKEN_POLL_MS = 1000;
const HOST_POLL_MS = 1000;
const GONE = new Set(["removed", "purging", "purged"]);
const HOSTS_PAGE_SIZE = "1000";

export class CattleApi implements RancherApi {
  constructor(
    private readonly http: ApiClient,
    private readonly log: Logger,
    private readonly projectHint?: string,
  ) {}

  get serverVersion(): string | undefined {
    return this.http.version;
  }

  get requestCount(): number {
    return this.http.requestCount;
  }

  async findTarget(nameOrId: string | undefined): Promise<Target> {
    const wanted = nameOrId ?? this.projectHint;
    if (wanted && PROJECT_ID.test(wanted)) return this.projectById(wanted);
    const projects = await this.projects(wanted ? { name: wanted } : {});
    // Filter again here: a server that ignores a filter answers with everything.
    const matches = wanted ? projects.filter((p) => p.name.toLowerCase() === wanted.toLowerCase()) : projects;
    if (matches.length === 1) return toTarget(matches[0]!);
    if (matches.length > 1) {
      throw new EnrollError(
        "not-found",
        `the environment name "${wanted}" is ambiguous: ${describe(matches)}`,
        "Pass the environment id instead.",
      );
    }
    if (!wanted) {
      throw new EnrollError(
        "usage",
        `no environment given and the key can see several: ${describe(projects)}`,
        "Pass --environment NAME|ID or set RANCHER_ENVIRONMENT.",
      );
    }
    throw await this.notFound(wanted);
  }

  async findRegistration(target: Target): Promise<Registration | undefined> {
    const tokens = await this.http.get<Collection<TokenResource>>(
      `${API}/projects/${target.id}/registrationtokens`,
      { state: "active" },
    );
    const usable = tokens.data.map(toRegistration).find((registration) => registration !== undefined);
    return usable;
  }

  async createRegistration(target: Target, deadline: Deadline): Promise<Registration> {
    const created = await this.http.post<TokenResource>(
      `${API}/projects/${target.id}/registrationtokens`,
      {},
    );
    this.log.info(
      { token: created.id, state: created.state },
      "registration token created, waiting for it to become active",
    );
    let last = created;
    return deadline.poll(
      TOKEN_POLL_MS,
      async () => {
        last = await this.http.get<TokenResource>(created.links.self);
        return toRegistration(last);
      },
      () => `registration token ${created.id} is still "${last.state}"`,
    );
  }

  async listHosts(target: Target): Promise<HostRecord[]> {
    const hosts: HostRecord[] = [];
    let page = await this.http.get<Collection<HostResource>>(`${API}/projects/${target.id}/hosts`, {
      limit: HOSTS_PAGE_SIZE,
    });
    hosts.push(...page.data.map(toHost));
    while (page.pagination?.next) {
      page = await this.http.get<Collection<HostResource>>(page.pagination.next);
      hosts.push(...page.data.map(toHost));
    }
    return hosts;
  }

  async getHost(target: Target, id: string): Promise<HostRecord | undefined> {
    const host = await this.hostResource(target, id);
    return host && toHost(host);
  }

  /** Rancher refuses to remove an active host: deactivate, wait until removal is offered, remove, wait. */
  async removeHost(target: Target, id: string, deadline: Deadline): Promise<void> {
    const host = await this.hostResource(target, id);
    if (host?.actions?.deactivate) await this.http.post(host.actions.deactivate);
    const removeLink = await deadline.poll(
      HOST_POLL_MS,
      async () => {
        const current = await this.hostResource(target, id);
        return current ? current.actions?.remove : null;
      },
      () => `host ${id} did not become inactive, so the server does not allow removing it`,
    );
    if (!removeLink) return;
    await this.http.post(removeLink);
    await deadline.poll(
      HOST_POLL_MS,
      async () => ((await this.hostResource(target, id)) ? undefined : true),
      () => `host ${id} was not removed`,
    );
  }

  /** The host's resource, undefined once removed: removed resources stay readable by id for a while. */
  private async hostResource(target: Target, id: string): Promise<HostResource | undefined> {
    try {
      const host = await this.http.get<HostResource>(`${API}/projects/${target.id}/hosts/${id}`);
      return GONE.has(host.state ?? "") ? undefined : host;
    } catch (error) {
      if (error instanceof EnrollError && error.kind === "not-found") return undefined;
      throw error;
    }
  }

  private async projectById(id: string): Promise<Target> {
    try {
      return toTarget(await this.http.get<ProjectResource>(`${API}/projects/${id}`));
    } catch (error) {
      if (error instanceof EnrollError && (error.kind === "not-found" || error.kind === "auth"))
        throw await this.notFound(id);
      throw error;
    }
  }

  private async projects(filter: Record<string, string>): Promise<ProjectResource[]> {
    const projects = await this.http.get<Collection<ProjectResource>>(`${API}/projects`, filter);
    return projects.data;
  }

  private async notFound(wanted: string): Promise<EnrollError> {
    const visible = await this.projects({});
    const seen = visible.length
      ? `the API key can see: ${describe(visible)}`
      : "the API key can see no environment";
    return new EnrollError(
      "not-found",
      `environment "${wanted}" not found; ${seen}`,
      "Check --environment (a name or an id such as 1a5) and that the key belongs to that environment.",
    );
  }
}

function toTarget(project: ProjectResource): Target {
  return { id: project.id, name: project.name };
}

function describe(projects: ProjectResource[]): string {
  return projects.map((p) => `${p.name} (${p.id})`).join(", ");
}

/** A token is usable only once active with all its fields: creation answers before they exist. */
function toRegistration(token: TokenResource): Registration | undefined {
  const { state, token: value, registrationUrl, image, command } = token;
  if (state !== "active" || !value || !registrationUrl || !image || !command) return undefined;
  return { id: token.id, token: value, registrationUrl, image, command };
}

function toHost(host: HostResource): HostRecord {
  return {
    id: host.id,
    hostname: host.hostname ?? "",
    state: host.state ?? "unknown",
    agentState: host.agentState ?? null,
    agentIpAddress: host.agentIpAddress ?? null,
    agentId: host.agentId ?? null,
    labels: host.labels ?? {},
    created: host.created ?? new Date(host.createdTS ?? 0).toISOString(),
    transitioningMessage: host.transitioningMessage ?? null,
  };
}
