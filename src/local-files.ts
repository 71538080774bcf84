import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
  type Stats,
} from "node:fs";
import { dirname } from "node:path";

/**
 * Reads a file we were told to use, refusing anything but a regular file of at most `maxBytes`: a FIFO would wait
 * for a writer forever, /dev/zero would never end. Opened non-blocking, so that even opening a FIFO does not wait;
 * the checks look at what was opened, not at what the path named a moment before.
 */
export function readRegularFile(path: string, maxBytes: number): { text: string; stats: Stats } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new Error(`${path} is not a regular file (it is ${fileType(stats)})`);
    if (stats.size > maxBytes) throw tooLarge(path, maxBytes);
    // Read to the end, not to the size first seen: the file may grow meanwhile, and the cap still holds.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (let read = 1; read > 0 && length < buffer.length; length += read)
      read = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > maxBytes) throw tooLarge(path, maxBytes);
    return { text: buffer.toString("utf8", 0, length), stats };
  } finally {
    closeSync(fd);
  }
}

const tooLarge = (path: string, maxBytes: number) =>
  new Error(`${path} is larger than ${maxBytes / 1024} KiB`);

function fileType(stats: Stats): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  if (stats.isSocket()) return "a socket";
  return "not a file";
}

/**
 * What makes a file or folder unfit to decide where secrets go or what this machine is enrolled in, as ssh judges
 * its configuration: another owner than those allowed, or write access for group or others. Undefined when fit.
 */
export function unsafeOwnership(stats: Stats, owners: readonly number[]): string | undefined {
  if (!owners.includes(stats.uid)) return `owned by uid ${stats.uid}`;
  const mode = stats.mode & 0o7777;
  if (mode & 0o022) return `writable by group or others (mode ${mode.toString(8).padStart(4, "0")})`;
  return undefined;
}

/** The command that makes a file refused by `unsafeOwnership` fit, once its content was checked. */
export function safeOwnershipCommand(path: string): string {
  return `chown ${process.getuid?.() ?? 0} ${path} && chmod go-w ${path}`;
}

/** This user, and root (who can change anything anyway). */
export function trustedOwners(): number[] {
  const uid = process.getuid?.();
  return uid === undefined ? [] : [...new Set([uid, 0])];
}

/**
 * Replaces `path` whole: readers see the old file or the new one. The temporary file is created exclusively (never
 * through a symlink planted in its place) and synced before the rename, and the rename itself is synced: these
 * files are written at boot, when power loss happens.
 */
export function writeFileAtomically(path: string, text: string, mode: number): void {
  const temporary = `${path}.${process.pid}-${Date.now().toString(36)}.tmp`;
  const fd = openSync(temporary, "wx", mode);
  try {
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  syncDirectory(dirname(path));
}

function syncDirectory(path: string): void {
  const fd = openSync(path, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
