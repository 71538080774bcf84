/** What went wrong, in the terms an operator's script branches on. Each kind has one stable exit code. */
export type ErrorKind =
  "internal" | "usage" | "auth" | "not-found" | "docker" | "agent-failed" | "timeout" | "server" | "differs";

export const EXIT_CODES: Readonly<Record<ErrorKind | "ok", number>> = {
  ok: 0,
  internal: 1,
  usage: 2,
  auth: 3,
  "not-found": 4,
  docker: 5,
  "agent-failed": 6,
  timeout: 7,
  server: 8,
  differs: 9,
};

export class EnrollError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** What the user can do about it. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "EnrollError";
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
}

export function asEnrollError(error: unknown): EnrollError {
  if (error instanceof EnrollError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new EnrollError(
    "internal",
    `unexpected failure: ${message}`,
    "Please report this with the log output.",
    {
      cause: error,
    },
  );
}
