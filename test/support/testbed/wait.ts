import { setTimeout as sleep } from "node:timers/promises";

/** Polls `probe` until it returns true; rejects with `what` after `timeoutMs` or when `abort` reports a reason. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  {
    timeoutMs,
    intervalMs = 100,
    abort,
  }: { timeoutMs: number; intervalMs?: number; abort?: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const aborted = abort?.();
    if (aborted) throw new Error(`${what}: ${aborted}`);
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`${what}: timed out after ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}
