import { constants } from "node:os";

/** The exit code of a tool that SIGPIPE ended: ours when the reader of our output went away. */
export const READER_GONE_EXIT_CODE = 128 + constants.signals.SIGPIPE;

/** The reader of our output went away (`--help | head`): stop quietly, as a tool killed by SIGPIPE would. */
export function readerGone(error: unknown): boolean {
  const { code, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  return code === "EPIPE" && syscall === "write";
}
