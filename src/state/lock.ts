import { lstatSync } from "node:fs";
import lockfile from "proper-lockfile";
import type { Deadline } from "../deadline.js";
import { EnrollError } from "../errors.js";
import type { Logger } from "../log.js";
import { checkStateDirectory } from "./directory.js";

const STALE_MS = 10_000;
const RETRY_MS = 500;

/**
 * Serialises commands that change this machine's enrollment. A holder killed with -9 stops refreshing the
 * lock, which is then taken over once stale (10 s). A lock lost while working (taken over, or removed) ends the
 * command with an error: the work may no longer be ours alone.
 */
export async function withMachineLock<T>(
  dir: string,
  deadline: Deadline,
  log: Logger,
  work: () => Promise<T>,
  staleMs = STALE_MS,
): Promise<T> {
  checkStateDirectory(dir, true);
  refuseForeignLock(dir);
  let lost!: (error: EnrollError) => void;
  const compromised = new Promise<never>((_, reject) => (lost = reject));
  const options = { staleMs, onCompromised: (error: Error) => lost(compromisedError(dir, error)) };
  const release = await lock(dir, 0, options).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== "ELOCKED") throw lockFailure(dir, error);
    log.info({ lock: lockPath(dir) }, "another rancher-enroll is working on this machine: waiting for it");
    return lock(dir, Math.ceil(deadline.remainingMs() / RETRY_MS), options).catch((cause: Error) => {
      throw deadline.timeout(`another rancher-enroll still holds ${lockPath(dir)} (${cause.message})`);
    });
  });
  const working = work();
  try {
    return await Promise.race([working, compromised]);
  } finally {
    working.catch(() => undefined);
    await release().catch(() => undefined);
  }
}

interface LockOptions {
  staleMs: number;
  onCompromised: (error: Error) => void;
}

function lock(dir: string, retries: number, options: LockOptions): Promise<() => Promise<void>> {
  return lockfile.lock(dir, {
    lockfilePath: lockPath(dir),
    stale: options.staleMs,
    retries: { retries, minTimeout: RETRY_MS, maxTimeout: RETRY_MS, factor: 1 },
    onCompromised: options.onCompromised,
  });
}

const lockPath = (dir: string) => `${dir}/lock`;

/** Our lock is a directory; anything else there was not made by rancher-enroll, and is never removed blindly. */
function refuseForeignLock(dir: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = lstatSync(lockPath(dir)).isDirectory();
  } catch {
    return;
  }
  if (!isDirectory) throw foreignLock(dir);
}

function foreignLock(dir: string): EnrollError {
  const path = lockPath(dir);
  return new EnrollError(
    "usage",
    `${path} is not a lock rancher-enroll made: its lock is a directory, and this is a file (copied from another machine, or left by a backup restore or a script?)`,
    `If no rancher-enroll runs on this machine (\`pgrep -a rancher-enroll\`), remove it: \`rm ${path}\`.`,
  );
}

function lockFailure(dir: string, error: NodeJS.ErrnoException): EnrollError {
  if (error.code === "ENOTDIR") return foreignLock(dir);
  return new EnrollError(
    "usage",
    `cannot take the lock ${lockPath(dir)}: ${error.message}`,
    "Check the state directory's permissions (RANCHER_ENROLL_STATE_DIR selects another).",
    { cause: error },
  );
}

function compromisedError(dir: string, error: Error): EnrollError {
  return new EnrollError(
    "internal",
    `lost the lock ${lockPath(dir)} while working (${error.message}): another rancher-enroll may have taken it over, or the lock was removed, or this process was paused for more than its stale time`,
    "Check that no other rancher-enroll runs on this machine, then run the command again: it resumes from what is done.",
    { cause: error },
  );
}
