import type { Logger } from "pino";

export type { Logger };

export interface LogOptions {
  level: string;
  /** Human-readable lines (a terminal) instead of JSON lines. */
  pretty: boolean;
}

/** Paths that may carry credentials; pino replaces them before anything is written. */
const REDACTED_PATHS = [
  "secretKey",
  "*.secretKey",
  "password",
  "*.password",
  "authorization",
  "*.authorization",
];

/**
 * Logs always go to stderr so that stdout carries only the result, written synchronously in this thread (no
 * worker-thread transport: the single executable has no files to start one from). pino is loaded on first use
 * so that `--help` and `--version` do not pay for it.
 */
export async function createLogger(options: LogOptions): Promise<Logger> {
  const { pino } = await import("pino");
  const base = { level: options.level, base: undefined, redact: { paths: REDACTED_PATHS, censor: "***" } };
  if (!options.pretty) return pino(base, pino.destination({ dest: 2, sync: true }));
  const { default: pretty } = await import("pino-pretty");
  const stream = pretty({ destination: 2, sync: true, ignore: "pid,hostname", translateTime: "HH:MM:ss" });
  return pino(base, stream);
}

/** The registration token authenticates any new host: show only enough of it to tell tokens apart. */
export function maskToken(text: string, token: string | undefined): string {
  if (!token) return text;
  return text.split(token).join(`${token.slice(0, 4)}…(masked)`);
}

/** Passwords in URLs (a proxy's `http://user:password@proxy:3128`, say) are replaced in what we log. */
export function maskUrlPasswords(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]*@/gi, "$1:***@");
}
