import { mkdir } from "node:fs/promises";
import lockfile from "proper-lockfile";
import type { Deadline } from "../deadline.js";
import type { Logger } from "../log.js";

const STALE_MS = 10_000;
const RETRY_MS = 500;

/**
 * Serialises commands that change this machine's enrollment. A holder killed with -9 stops refreshing the
 * lock, which is then taken over once stale (10 s).
 */
export async function withMachineLock<T>(
  dir: string,
  deadline: Deadline,
  log: Logger,
  work: () => Promise<T>,
): Promise<T> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const release = await lock(dir, 0).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== "ELOCKED") throw error;
    log.info({ lock: lockPath(dir) }, "another rancher-enroll is working on this machine: waiting for it");
    return lock(dir, Math.ceil(deadline.remainingMs() / RETRY_MS)).catch((cause: Error) => {
      throw deadline.timeout(`another rancher-enroll still holds ${lockPath(dir)} (${cause.message})`);
    });
  });
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}

function lock(dir: string, retries: number): Promise<() => Promise<void>> {
  return lockfile.lock(dir, {
    lockfilePath: lockPath(dir),
    stale: STALE_MS,
    retries: { retries, minTimeout: RETRY_MS, maxTimeout: RETRY_MS, factor: 1 },
  });
}

const lockPath = (dir: string) => `${dir}/lock`;
