import { mkdirSync, statSync } from "node:fs";
import { EnrollError } from "../errors.js";
import { unsafeOwnership } from "../local-files.js";

/**
 * The state folder decides what this machine is enrolled in, and root writes there: it must be this user's and
 * closed to others, or another user could plant files (or symlinks) that root then trusts or writes through.
 * Created when `create` is set; answers false when it does not exist (and was not to be created).
 */
export function checkStateDirectory(dir: string, create: boolean): boolean {
  if (create) mkdirSync(dir, { recursive: true, mode: 0o700 });
  let stats;
  try {
    stats = statSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new EnrollError("usage", `cannot use the state directory ${dir}: ${(error as Error).message}`);
  }
  const uid = process.getuid?.();
  const problem = stats.isDirectory()
    ? uid !== undefined && unsafeOwnership(stats, [uid])
    : "not a directory";
  if (!problem) return true;
  throw new EnrollError(
    "usage",
    `the state directory ${dir} is ${problem}; refusing to use it, as another user could change what it records`,
    `Make it a directory of this user's, closed to others (\`chown ${uid ?? 0} ${dir} && chmod 700 ${dir}\`), after checking what it holds; or set RANCHER_ENROLL_STATE_DIR to another directory.`,
  );
}
