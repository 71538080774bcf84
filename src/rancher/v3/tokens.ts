import { SERVER_PACE, type Deadline } from "../../deadline.js";
import { EnrollError } from "../../errors.js";
import type { Logger } from "../../log.js";
import { CREATION_RETRY_MS } from "../backoff.js";
import { NotTheApiError } from "../http.js";
import type { V3Client } from "./client.js";
import type { JoinPeek, JoinSpec, Target } from "../../flows/seam.js";
import { notRke1 } from "./clusters.js";
import { parseNodeCommand } from "../../agents/node-command.js";
import type { TokenResource } from "./resources.js";

/** The name Rancher 2.6+ gives the token it creates for every cluster; earlier versions have none. */
export const DEFAULT_TOKEN = "default-token";
/** Rancher's own token (share-mnt, its agents): used only when nothing else is there. */
const SYSTEM_TOKEN = "system";

/**
 * Reuse the cluster's registration token; create one only when there is none. The creation names the token
 * `default-token`, so that machines of a fleet creating at once get 409 Conflict and use the first one's; a
 * failed creation is never repeated blindly (the tokens are read again first); should a server ignore the
 * name, every machine converges on the oldest token and removes its own; and a token waited for that goes away
 * meanwhile (removed by another machine's convergence) sends us back to the list.
 */
export async function obtainJoin(
  tokens: TokenApi,
  cluster: Target,
  deadline: Deadline,
): Promise<{ join: JoinSpec; created: boolean }> {
  const { log } = tokens;
  const existing = await useExisting(tokens, cluster, deadline);
  if (existing) return { join: existing, created: false };
  log.info(`cluster ${cluster.name} has no registration token: creating ${DEFAULT_TOKEN}`);
  return deadline.poll(
    CREATION_RETRY_MS,
    () => attempt(tokens, cluster, deadline),
    () => "could not obtain a registration token",
  );
}

/** One creation, else the token that appeared meanwhile; undefined when it is to be tried again. */
async function attempt(tokens: TokenApi, cluster: Target, deadline: Deadline) {
  const created = await createOnce(tokens, cluster);
  if (created) return converge(tokens, cluster, created, deadline);
  const appeared = await useExisting(tokens, cluster, deadline);
  return appeared && { join: appeared, created: false };
}

/** The token `up` would use, or what it would do instead; never creates. */
export async function peekJoin(tokens: TokenApi, cluster: Target): Promise<JoinPeek> {
  const { reuse, waitFor } = chooseToken(await tokens.client.tokens(cluster.id));
  if (reuse) return { join: tokens.toJoin(reuse, cluster) };
  return waitFor ? { pendingId: waitFor.id } : {};
}

/** Of the tokens listed: the one to reuse (its node command is there), else the one to wait for. */
export function chooseToken(tokens: readonly TokenResource[]): {
  reuse?: TokenResource;
  waitFor?: TokenResource;
} {
  const live = [...tokens].filter((token) => token.state !== "removing").sort(byPreference);
  const ours = live.filter((token) => nameOf(token) !== SYSTEM_TOKEN);
  const reuse = ours.find(isUsable);
  if (reuse) return { reuse };
  const waitFor = ours[0];
  if (waitFor) return { waitFor };
  const system = live.find(isUsable);
  return system ? { reuse: system } : {};
}

async function useExisting(
  tokens: TokenApi,
  cluster: Target,
  deadline: Deadline,
): Promise<JoinSpec | undefined> {
  const { log } = tokens;
  const { reuse, waitFor } = chooseToken(await tokens.client.tokens(cluster.id));
  if (reuse) {
    log.info({ token: reuse.id }, `reusing the registration token ${reuse.id}`);
    return tokens.toJoin(reuse, cluster);
  }
  if (!waitFor) return undefined;
  log.info({ token: waitFor.id }, `registration token ${waitFor.id} has no node command yet: waiting for it`);
  return waitForCommand(tokens, cluster, waitFor.id, deadline);
}

/** One creation request; a failure the server may recover from (409 included) answers undefined. */
async function createOnce({ client, log }: TokenApi, cluster: Target): Promise<string | undefined> {
  try {
    const created = await client.createToken(cluster.id, DEFAULT_TOKEN);
    log.info({ token: created.id }, `registration token ${created.id} created`);
    return created.id;
  } catch (error) {
    // A 2xx without a token is no failure to recover from: asking again would create tokens without end.
    if (!(error instanceof EnrollError && error.kind === "server") || error instanceof NotTheApiError)
      throw error;
    log.info({ reason: error.message }, "creating the registration token failed: reading the tokens again");
    return undefined;
  }
}

/** The first token of the cluster, ours or not; undefined when the one waited for went away. */
async function converge(
  tokens: TokenApi,
  cluster: Target,
  mine: string,
  deadline: Deadline,
): Promise<{ join: JoinSpec; created: boolean } | undefined> {
  const { client, log } = tokens;
  const [first] = (await client.tokens(cluster.id))
    .filter((token) => token.state !== "removing" && nameOf(token) !== SYSTEM_TOKEN)
    .sort(byPreference);
  if (!first || first.id === mine) {
    const join = await waitForCommand(tokens, cluster, mine, deadline);
    return join && { join, created: true };
  }
  log.info(
    { token: first.id, ours: mine },
    `token ${first.id} came first: using it and removing ours (${mine})`,
  );
  await client
    .deleteToken(cluster.id, mine)
    .catch((error: Error) => log.warn({ reason: error.message }, `could not remove token ${mine}`));
  const join = await waitForCommand(tokens, cluster, first.id, deadline);
  return join && { join, created: false };
}

/**
 * Rancher 2.6+ writes the node command into the token's status a moment after creating it. Undefined when the
 * token goes away meanwhile.
 */
async function waitForCommand(
  tokens: TokenApi,
  cluster: Target,
  id: string,
  deadline: Deadline,
): Promise<JoinSpec | undefined> {
  const { client, log } = tokens;
  const outcome = await deadline.poll(
    SERVER_PACE,
    async () => {
      const token = await client.token(cluster.id, id);
      if (!token || token.state === "removing") return { gone: true } as const;
      return isUsable(token) ? { join: tokens.toJoin(token, cluster) } : undefined;
    },
    () =>
      `registration token ${id} still has no node command; Rancher writes none while its server-url setting is ` +
      "empty (Global Settings)",
  );
  if ("join" in outcome) return outcome.join;
  log.info({ token: id }, `registration token ${id} went away: reading the tokens again`);
  return undefined;
}

/** What the token functions need: the API, and how the line reads a token's node command into a join. */
export interface TokenApi {
  client: V3Client;
  log: Logger;
  toJoin(token: TokenResource, cluster: Target): JoinSpec;
}

/** The server's RKE1 node command, read as `docker run` would; the agent launches exactly that. */
export function rke1Join(token: TokenResource, cluster: Target): JoinSpec {
  const command = token.nodeCommand ?? "";
  if (command.includes("system-agent-install.sh")) throw notRke1(cluster);
  const { image, server, caChecksum } = parseNodeCommand(command);
  return {
    id: token.id,
    secret: token.token ?? "",
    command,
    image,
    ...(server ? { url: server } : {}),
    ...(caChecksum ? { caChecksum } : {}),
  };
}

export function isUsable(token: TokenResource): boolean {
  return Boolean(token.token && token.nodeCommand);
}

/** `default-token` first (the one every machine converges on), then the oldest. */
function byPreference(a: TokenResource, b: TokenResource): number {
  const rank = (token: TokenResource) => (nameOf(token) === DEFAULT_TOKEN ? 0 : 1);
  return (
    rank(a) - rank(b) || Date.parse(a.created ?? "") - Date.parse(b.created ?? "") || a.id.localeCompare(b.id)
  );
}

function nameOf(token: TokenResource): string {
  return token.name ?? token.id.slice(token.id.indexOf(":") + 1);
}
