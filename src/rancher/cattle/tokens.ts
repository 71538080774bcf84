import { setTimeout as sleep } from "node:timers/promises";
import type { Deadline } from "../../deadline.js";
import { EnrollError } from "../../errors.js";
import type { JoinPeek, JoinSpec, Target } from "../../flows/seam.js";
import type { Logger } from "../../log.js";
import { backoffMs } from "../backoff.js";
import { NotTheApiError } from "../http.js";
import type { TokenRecord } from "./resources.js";

const PENDING = new Set(["requested", "registering", "activating", "updating-active"]);
/** Machines booting together spread their token creation over this window, so the first creator's token is seen. */
const CREATION_SPREAD_MS = 2000;

/** The registration token requests of Cattle, each one request (creation is not idempotent). */
export interface TokenApi {
  /** The target's registration tokens that are not being removed, oldest first. */
  listTokens(target: Target): Promise<TokenRecord[]>;
  /** Asks for a new token, once; answers its id. */
  createToken(target: Target): Promise<string>;
  /** Waits until the token is active with all its fields. */
  waitForToken(target: Target, id: string, deadline: Deadline): Promise<JoinSpec>;
  removeToken(target: Target, id: string, deadline: Deadline): Promise<void>;
}

/** The token to use of those listed: the oldest active one, else the oldest one on its way to active. */
export function chooseToken(tokens: readonly TokenRecord[]): JoinPeek {
  const active = tokens.find((token) => token.join);
  if (active?.join) return { join: active.join };
  const pending = tokens.find((token) => PENDING.has(token.state));
  return pending ? { pendingId: pending.id } : {};
}

/**
 * Reuse the environment's token; create one only when there is none. A fleet booting together must end with one
 * token, not one per machine: creation is spread in time, never retried blindly (the list is read again first),
 * and a machine whose token turns out not to be the oldest removes its own and uses the oldest.
 */
export async function obtainToken(
  api: TokenApi,
  log: Logger,
  target: Target,
  deadline: Deadline,
  spreadMs = CREATION_SPREAD_MS,
): Promise<{ join: JoinSpec; created: boolean }> {
  const existing = await useExisting(api, log, target, deadline);
  if (existing) return { join: existing, created: false };
  log.info("the environment has no registration token: creating one");
  await sleep(Math.random() * Math.min(spreadMs, deadline.remainingMs()));
  for (let attempt = 1; ; attempt += 1) {
    const appeared = await useExisting(api, log, target, deadline);
    if (appeared) return { join: appeared, created: false };
    const created = await createOnce(api, log, target);
    if (created) return { join: await converge(api, log, target, created, deadline), created: true };
    const delay = backoffMs(attempt);
    if (delay >= deadline.remainingMs()) throw deadline.timeout("could not create a registration token");
    await sleep(delay);
  }
}

async function useExisting(api: TokenApi, log: Logger, target: Target, deadline: Deadline) {
  const { join, pendingId } = chooseToken(await api.listTokens(target));
  if (join) log.info({ token: join.id }, `reusing the active registration token ${join.id}`);
  if (!pendingId) return join;
  log.info({ token: pendingId }, `registration token ${pendingId} is being created: waiting for it`);
  return api.waitForToken(target, pendingId, deadline);
}

/** One creation request; a failure the server may recover from answers undefined, to re-read before trying again. */
async function createOnce(api: TokenApi, log: Logger, target: Target): Promise<string | undefined> {
  try {
    return await api.createToken(target);
  } catch (error) {
    // A 2xx without a token is no failure to recover from: asking again would create tokens without end.
    if (!(error instanceof EnrollError && error.kind === "server") || error instanceof NotTheApiError)
      throw error;
    log.warn(
      { reason: error.message },
      "creating the registration token failed; reading the tokens again before retrying",
    );
    return undefined;
  }
}

async function converge(
  api: TokenApi,
  log: Logger,
  target: Target,
  mine: string,
  deadline: Deadline,
): Promise<JoinSpec> {
  const [oldest] = (await api.listTokens(target)).filter((token) => token.join || PENDING.has(token.state));
  if (!oldest || oldest.id === mine) return api.waitForToken(target, mine, deadline);
  log.info(
    { token: oldest.id, ours: mine },
    `token ${oldest.id} was created first: using it and removing ours (${mine})`,
  );
  await api
    .removeToken(target, mine, deadline)
    .catch((error: Error) => log.warn({ reason: error.message }, `could not remove token ${mine}`));
  return api.waitForToken(target, oldest.id, deadline);
}
