import { SERVER_PACE, type Deadline } from "../../deadline.js";
import { EnrollError } from "../../errors.js";
import {
  LINE_WORDS,
  TargetNotChosen,
  type Evidence,
  type JoinPeek,
  type JoinSpec,
  type Member,
  type MemberMatch,
  type ServerDriver,
  type Target,
  type Wanted,
} from "../../flows/seam.js";
import type { Logger } from "../../log.js";
import type { ApiClient } from "../http.js";
import { findOurHost } from "./host-match.js";
import { anything, object, optional, string, type Check } from "../../schema.js";
import { allPages } from "../pages.js";
import {
  actionable,
  byAge,
  hostResource,
  projectResource,
  tokenResource,
  toMember,
  toRecord,
  toTarget,
  type ProjectResource,
  type TokenRecord,
} from "./resources.js";
import { chooseToken, obtainToken, type TokenApi } from "./tokens.js";

/** Rancher 1.6 (Cattle), spoken through API v2-beta. */

const API = "v2-beta";
const PROJECT_ID = /^1a\d+$/;
const GONE = new Set(["removed", "purging", "purged"]);

const SETTING = object({ value: optional(string) });

export class CattleDriver implements ServerDriver, TokenApi {
  readonly line = "cattle";
  readonly words = LINE_WORDS.cattle;

  constructor(
    private readonly http: ApiClient,
    private readonly log: Logger,
    private readonly projectHint?: string,
  ) {}

  get serverVersion(): string | undefined {
    return this.http.version;
  }

  get clientIp(): string | undefined {
    return this.http.clientIp;
  }

  get requestCount(): number {
    return this.http.requestCount;
  }

  /** An environment's hosts all join the one way 1.6 has. */
  forTarget(): ServerDriver {
    return this;
  }

  async findTarget(given: Wanted | undefined): Promise<Target> {
    if (given && given.word !== "environment") throw wrongWord(given);
    const wanted = given?.nameOrId ?? this.projectHint;
    const from = given?.from ?? (given ? "--environment" : "the URL's project id");
    if (wanted && PROJECT_ID.test(wanted)) return this.projectById(wanted, from);
    const projects = await this.projects(wanted ? { name: wanted } : {});
    // Filter again here: a server that ignores a filter answers with everything.
    const matches = wanted ? projects.filter((p) => p.name.toLowerCase() === wanted.toLowerCase()) : projects;
    if (matches.length === 1) return toTarget(matches[0]!);
    if (!wanted) throw noneGiven(projects);
    if (matches.length > 1) {
      throw new TargetNotChosen(
        "not-found",
        `the environment name "${wanted}" (from ${from}) is ambiguous: ${describe(matches)}`,
        "Give the environment's id instead (such as 1a5).",
        matches.map(toTarget),
      );
    }
    throw await this.notFound(wanted, from);
  }

  obtainJoin(target: Target, deadline: Deadline): Promise<{ join: JoinSpec; created: boolean }> {
    return obtainToken(this, this.log, target, deadline);
  }

  async peekJoin(target: Target): Promise<JoinPeek> {
    return chooseToken(await this.listTokens(target));
  }

  /** The image of the token the next machine would use, else the server's `bootstrap.required.image` setting. */
  async agentImage(target: Target | undefined): Promise<string | undefined> {
    const fromToken = target && (await this.peekJoin(target)).join?.image;
    if (fromToken) return fromToken;
    const setting = await this.http.probe(`${API}/settings/bootstrap.required.image`, SETTING);
    return setting?.value || undefined;
  }

  async listTokens(target: Target): Promise<TokenRecord[]> {
    const tokens = await allPages(this.http, this.tokensPath(target), tokenResource);
    return tokens
      .filter((token) => !GONE.has(token.state))
      .map(toRecord)
      .sort(byAge);
  }

  async createToken(target: Target): Promise<string> {
    const created = await this.http.post(this.tokensPath(target), tokenResource, {});
    this.log.info({ token: created.id, state: created.state }, `registration token ${created.id} created`);
    return created.id;
  }

  async readToken(target: Target, id: string): Promise<TokenRecord | undefined> {
    const token = await this.resource(`${this.tokensPath(target)}/${id}`, tokenResource);
    return token && toRecord(token);
  }

  removeToken(target: Target, id: string, deadline: Deadline): Promise<void> {
    return this.retire(`${this.tokensPath(target)}/${id}`, deadline, `registration token ${id}`);
  }

  async listMembers(target: Target): Promise<Member[]> {
    return (await allPages(this.http, `${API}/projects/${target.id}/hosts`, hostResource)).map(toMember);
  }

  async getMember(target: Target, id: string): Promise<Member | undefined> {
    const host = await this.resource(this.hostPath(target, id), hostResource);
    return host && toMember(host);
  }

  identify(members: readonly Member[], evidence: Evidence): MemberMatch | undefined {
    return findOurHost(members, evidence);
  }

  /** A 1.6 host's own state says it all. */
  async whyWaiting(): Promise<string | undefined> {
    return undefined;
  }

  removeMember(target: Target, id: string, deadline: Deadline): Promise<void> {
    return this.retire(this.hostPath(target, id), deadline, `host ${id}`);
  }

  private tokensPath(target: Target): string {
    return `${API}/projects/${target.id}/registrationtokens`;
  }

  private hostPath(target: Target, id: string): string {
    return `${API}/projects/${target.id}/hosts/${id}`;
  }

  /**
   * Rancher refuses to remove an active resource: deactivate it, remove it once removal is offered, wait until it
   * is gone. Each look takes the action offered then: a resource may change state between our look and our
   * action (a token just created turns active), and is looked at again when the action is no longer offered.
   */
  private async retire(path: string, deadline: Deadline, what: string): Promise<void> {
    let state = "unknown";
    await deadline.poll(
      SERVER_PACE,
      async () => {
        const resource = await this.resource(path, actionable);
        if (!resource) return true;
        state = resource.state ?? state;
        const { remove, deactivate } = resource.actions ?? {};
        const action = remove ?? deactivate;
        if (action) await this.http.post(action, anything).catch(unlessNoLongerOffered);
        return undefined;
      },
      () => `${what} was not removed: it is still "${state}"`,
    );
  }

  /** The resource, or undefined once removed: removed resources stay readable by id for a while. */
  private async resource<T extends { state?: string }>(
    path: string,
    schema: Check<T>,
  ): Promise<T | undefined> {
    try {
      const resource = await this.http.get(path, schema);
      return GONE.has(resource.state ?? "") ? undefined : resource;
    } catch (error) {
      if (error instanceof EnrollError && error.kind === "not-found") return undefined;
      throw error;
    }
  }

  private async projectById(id: string, from: string): Promise<Target> {
    try {
      return toTarget(await this.http.get(`${API}/projects/${id}`, projectResource));
    } catch (error) {
      if (error instanceof EnrollError && (error.kind === "not-found" || error.kind === "auth"))
        throw await this.notFound(id, from);
      throw error;
    }
  }

  private async projects(filter: Record<string, string>): Promise<ProjectResource[]> {
    return allPages(this.http, `${API}/projects`, projectResource, filter);
  }

  private async notFound(wanted: string, from: string): Promise<TargetNotChosen> {
    const visible = await this.projects({});
    const seen = visible.length
      ? `the API key can see: ${describe(visible)}`
      : "the API key can see no environment";
    return new TargetNotChosen(
      "not-found",
      `environment "${wanted}" not found; ${seen}`,
      `Check ${from} (a name or an id such as 1a5) and that the key belongs to that environment.`,
      visible.map(toTarget),
    );
  }
}

/** Cattle's answer to an action its resource no longer offers (its state changed since we looked). */
function unlessNoLongerOffered(error: unknown): void {
  if (error instanceof EnrollError && /answered 422 \(ActionNotAvailable/.test(error.message)) return;
  throw error;
}

/** An account key sees every environment of its account: which one is for the user to say. */
function noneGiven(projects: ProjectResource[]): TargetNotChosen {
  return new TargetNotChosen(
    projects.length ? "usage" : "not-found",
    projects.length
      ? `no environment given, and the API key can see several: ${describe(projects)}`
      : "no environment given, and the API key can see none",
    projects.length
      ? "Pass --environment NAME|ID, set RANCHER_ENVIRONMENT, or set environment in the profile."
      : "Use an environment API key, or an account key of an account that belongs to an environment.",
    projects.map(toTarget),
  );
}

function describe(projects: ProjectResource[]): string {
  return projects.map((p) => `${p.name} (${p.id})`).join(", ");
}

function wrongWord(given: Wanted): EnrollError {
  return new EnrollError(
    "usage",
    `a ${given.word} ("${given.nameOrId}") was given, but this server is Rancher 1.6, which has environments`,
    `Use ${LINE_WORDS.cattle.targetFlag} (a 1.6 environment: a name or an id such as 1a5).`,
  );
}
