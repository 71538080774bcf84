import { pino, type Logger } from "pino";
import pretty from "pino-pretty";

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

/** Logs always go to stderr so that stdout carries only the result. */
export function createLogger(options: LogOptions): Logger {
  const base = { level: options.level, base: undefined, redact: { paths: REDACTED_PATHS, censor: "***" } };
  if (!options.pretty) return pino(base, pino.destination({ dest: 2, sync: true }));
  const stream = pretty({ destination: 2, sync: true, ignore: "pid,hostname", translateTime: "HH:MM:ss" });
  return pino(base, stream);
}

/** The registration token authenticates any new host: show only enough of it to tell tokens apart. */
export function maskToken(text: string, token: string | undefined): string {
  if (!token) return text;
  return text.split(token).join(`${token.slice(0, 4)}…(masked)`);
}
