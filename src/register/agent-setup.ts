import { setTimeout as sleep } from "node:timers/promises";
import type { Deadline } from "../deadline.js";
import type { Docker } from "../docker/engine.js";
import { hasImage, pullImage, type PullProgress } from "../docker/image.js";
import { EnrollError } from "../errors.js";
import type { Logger } from "../log.js";
import type { RancherApi, Registration, Target, TokenRecord } from "../rancher/api.js";
import { backoffMs } from "../rancher/backoff.js";

const PENDING = new Set(["requested", "registering", "activating", "updating-active"]);
/** Machines booting together spread their token creation over this window, so the first creator's token is seen. */
const CREATION_SPREAD_MS = 2000;

/** The token to use of those listed: the oldest active one, else the oldest one on its way to active. */
export function chooseToken(tokens: readonly TokenRecord[]): { reuse?: Registration; waitFor?: string } {
  const active = tokens.find((token) => token.registration);
  if (active?.registration) return { reuse: active.registration };
  const pending = tokens.find((token) => PENDING.has(token.state));
  return pending ? { waitFor: pending.id } : {};
}

/**
 * Reuse the environment's token; create one only when there is none. A fleet booting together must end with one
 * token, not one per machine: creation is spread in time, never retried blindly (the list is read again first),
 * and a machine whose token turns out not to be the oldest removes its own and uses the oldest.
 */
export async function obtainRegistration(
  rancher: RancherApi,
  log: Logger,
  target: Target,
  deadline: Deadline,
  spreadMs = CREATION_SPREAD_MS,
) {
  const existing = await useExisting(rancher, log, target, deadline);
  if (existing) return { registration: existing, created: false };
  log.info("the environment has no registration token: creating one");
  await sleep(Math.random() * Math.min(spreadMs, deadline.remainingMs()));
  for (let attempt = 1; ; attempt += 1) {
    const appeared = await useExisting(rancher, log, target, deadline);
    if (appeared) return { registration: appeared, created: false };
    const created = await createOnce(rancher, log, target);
    if (created)
      return { registration: await converge(rancher, log, target, created, deadline), created: true };
    const delay = backoffMs(attempt);
    if (delay >= deadline.remainingMs()) throw deadline.timeout("could not create a registration token");
    await sleep(delay);
  }
}

async function useExisting(rancher: RancherApi, log: Logger, target: Target, deadline: Deadline) {
  const { reuse, waitFor } = chooseToken(await rancher.listRegistrations(target));
  if (reuse) log.info({ token: reuse.id }, `reusing the active registration token ${reuse.id}`);
  if (!waitFor) return reuse;
  log.info({ token: waitFor }, `registration token ${waitFor} is being created: waiting for it`);
  return rancher.waitForRegistration(target, waitFor, deadline);
}

/** One creation request; a failure the server may recover from answers undefined, to re-read before trying again. */
async function createOnce(rancher: RancherApi, log: Logger, target: Target): Promise<string | undefined> {
  try {
    return await rancher.createRegistration(target);
  } catch (error) {
    if (!(error instanceof EnrollError && error.kind === "server")) throw error;
    log.warn(
      { reason: error.message },
      "creating the registration token failed; reading the tokens again before retrying",
    );
    return undefined;
  }
}

async function converge(
  rancher: RancherApi,
  log: Logger,
  target: Target,
  mine: string,
  deadline: Deadline,
): Promise<Registration> {
  const [oldest] = (await rancher.listRegistrations(target)).filter(
    (token) => token.registration || PENDING.has(token.state),
  );
  if (!oldest || oldest.id === mine) return rancher.waitForRegistration(target, mine, deadline);
  log.info(
    { token: oldest.id, ours: mine },
    `token ${oldest.id} was created first: using it and removing ours (${mine})`,
  );
  await rancher
    .removeRegistration(target, mine, deadline)
    .catch((error: Error) => log.warn({ reason: error.message }, `could not remove token ${mine}`));
  return rancher.waitForRegistration(target, oldest.id, deadline);
}

/** Exactly the token's image: another spelling would make the agent upgrade itself to the server's. */
export async function ensureAgentImage(
  docker: Docker,
  log: Logger,
  image: string,
  onProgress: (progress: PullProgress) => void,
): Promise<boolean> {
  if (await hasImage(docker, image)) {
    log.info({ image }, "agent image present");
    return false;
  }
  log.info({ image }, "pulling the agent image");
  await pullImage(docker, image, onProgress);
  return true;
}
