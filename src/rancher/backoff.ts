const BASE_MS = 500;
const CAP_MS = 8000;

/** Exponential backoff with "equal jitter": half the step fixed, half random, so a fleet does not retry in step. */
export function backoffMs(attempt: number): number {
  const step = Math.min(CAP_MS, BASE_MS * 2 ** (attempt - 1));
  return step / 2 + Math.random() * (step / 2);
}

/** After a failed token creation, before reading the tokens again: time for a server that answered 5xx to recover. */
export const CREATION_RETRY_MS = 2000;
