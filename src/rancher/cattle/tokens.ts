import { setTimeout as sleep } from "node:timers/promises";
import { SERVER_PACE, type Deadline } from "../../deadline.js";
import { EnrollError } from "../../errors.js";
import type { JoinPeek, JoinSpec, Target } from "../../flows/seam.js";
import type { Logger } from "../../log.js";
import { CREATION_RETRY_MS } from "../backoff.js";
import { NotTheApiError } from "../http.js";
import type { TokenRecord } from "./resources.js";

const PENDING = new Set(["requested", "registering", "activating", "updating-active"]);
/**
 * Machines booting together spread their token creation, so that the first creator's token is seen (Cattle lists
 * it as pending at once) before the others create theirs. Two machines race only while one of them is between
 * reading the tokens and its creation reaching the server, about one round trip: the spread is a few round trips
 * (as long as reading the tokens just took, so that it widens by itself when a fleet loads the server), never more
 * than 2 s. A lone machine loses a few round trips; machines that still create at once converge afterwards.
 */
const SPREAD_ROUND_TRIPS = 8;
const MAX_SPREAD_MS = 2000;

/** The registration token requests of Cattle, each one request (creation is not idempotent). */
export interface TokenApi {
  /** The target's registration tokens that are not being removed, oldest first. */
  listTokens(target: Target): Promise<TokenRecord[]>;
  /** Asks for a new token, once; answers its id. */
  createToken(target: Target): Promise<string>;
  /** The token as it is now; undefined once it is removed. */
  readToken(target: Target, id: string): Promise<TokenRecord | undefined>;
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
 * and a machine whose token turns out not to be the oldest removes its own and uses the oldest. A token waited
 * for that goes away meanwhile (another machine's convergence removed it) sends us back to the list.
 */
export async function obtainToken(
  api: TokenApi,
  log: Logger,
  target: Target,
  deadline: Deadline,
  spreadRoundTrips = SPREAD_ROUND_TRIPS,
): Promise<{ join: JoinSpec; created: boolean }> {
  const listing = Date.now();
  const existing = await useExisting(api, log, target, deadline);
  if (existing) return { join: existing, created: false };
  const spreadMs = Math.min(spreadRoundTrips * (Date.now() - listing), MAX_SPREAD_MS, deadline.remainingMs());
  log.info({ spreadMs }, "the environment has no registration token: creating one");
  await sleep(Math.random() * spreadMs);
  return deadline.poll(
    CREATION_RETRY_MS,
    () => attempt(api, log, target, deadline),
    () => "could not obtain a registration token",
  );
}

/** The token listed (waited for while pending), else one creation; undefined when it is to be tried again. */
async function attempt(api: TokenApi, log: Logger, target: Target, deadline: Deadline) {
  const appeared = await useExisting(api, log, target, deadline);
  if (appeared) return { join: appeared, created: false };
  const created = await createOnce(api, log, target);
  const join = created && (await converge(api, log, target, created, deadline));
  return join ? { join, created: true } : undefined;
}

async function useExisting(api: TokenApi, log: Logger, target: Target, deadline: Deadline) {
  const { join, pendingId } = chooseToken(await api.listTokens(target));
  if (join) log.info({ token: join.id }, `reusing the active registration token ${join.id}`);
  if (!pendingId) return join;
  log.info({ token: pendingId }, `registration token ${pendingId} is being created: waiting for it`);
  return waitForToken(api, log, target, pendingId, deadline);
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

/** The oldest token of the environment, ours or not; undefined when the one waited for went away. */
async function converge(
  api: TokenApi,
  log: Logger,
  target: Target,
  mine: string,
  deadline: Deadline,
): Promise<JoinSpec | undefined> {
  const [oldest] = (await api.listTokens(target)).filter((token) => token.join || PENDING.has(token.state));
  if (!oldest || oldest.id === mine) return waitForToken(api, log, target, mine, deadline);
  log.info(
    { token: oldest.id, ours: mine },
    `token ${oldest.id} was created first: using it and removing ours (${mine})`,
  );
  await api
    .removeToken(target, mine, deadline)
    .catch((error: Error) => log.warn({ reason: error.message }, `could not remove token ${mine}`));
  return waitForToken(api, log, target, oldest.id, deadline);
}

/**
 * Waits until the token is active with all its fields; undefined when it is removed meanwhile, or leaves the
 * way to active (deactivated: another machine converging on an older token removes its own).
 */
async function waitForToken(
  api: TokenApi,
  log: Logger,
  target: Target,
  id: string,
  deadline: Deadline,
): Promise<JoinSpec | undefined> {
  let state = "unknown";
  const outcome = await deadline.poll(
    SERVER_PACE,
    async () => {
      const token = await api.readToken(target, id);
      state = token?.state ?? "removed";
      if (token?.join) return { join: token.join };
      return token && (PENDING.has(token.state) || token.state === "active") ? undefined : { gone: true };
    },
    () => `registration token ${id} is still "${state}"`,
  );
  if ("join" in outcome) return outcome.join;
  log.info({ token: id, state }, `registration token ${id} went away (${state}): reading the tokens again`);
  return undefined;
}
