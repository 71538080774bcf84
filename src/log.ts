import { fstatSync, writeSync } from "node:fs";
import type { Logger } from "pino";
import type { Failure } from "./answer.js";
import { TextFormatter, type LogRecord, type TextStyle } from "./log-text.js";

export type { Logger };

export const LOG_FORMATS = ["text", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const LOG_FORMAT_VARIABLE = "RANCHER_ENROLL_LOG_FORMAT";

export interface LogOptions {
  level: string;
  /** Text for people (the default), JSON lines for machines. */
  format: LogFormat;
  /** Decides the text style: a terminal, journald (systemd's JOURNAL_STREAM names our stderr), or a plain file. */
  env?: Readonly<Record<string, string | undefined>>;
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
const STDERR = 2;

/**
 * A line that redraws in place at the bottom of a terminal (a progress bar); log lines are written above it. Only
 * where stderr is a terminal and the logs are text.
 */
export interface LiveLine {
  readonly columns: number;
  /** Shows `text` in place of the previous live text. */
  show(text: string): void;
  /** Removes the live line. */
  clear(): void;
  /** Removes it and moves to a new line: after the terminal echoed ^C, say. */
  newLine(): void;
}

/** What a command writes on stderr: its log lines, its one live line, its final error. */
export interface LogSink {
  readonly format: LogFormat;
  /** pino's destination: one serialised record per call. */
  write(line: string): void;
  /** The command's failure, whatever the level: it is the answer to the command. */
  fail(failure: Failure): void;
  readonly live?: LiveLine;
  /** The phase the last phase-tagged record named: where the command is. */
  readonly phase: string | undefined;
}

let current: LogSink | undefined;

/**
 * Logs always go to stderr so that stdout carries only the result, written synchronously in this thread (no
 * worker-thread transport: the single executable has no files to start one from). pino is loaded on first use
 * so that `--help` and `--version` do not pay for it.
 */
export async function createLogger(options: LogOptions): Promise<Logger> {
  const { pino } = await import("pino");
  current = createSink(options.format, textStyle(options.env ?? process.env));
  const base = { level: options.level, base: undefined, redact: { paths: REDACTED_PATHS, censor: "***" } };
  return pino(base, current);
}

/** The sink of the command's logger (see createLogger). */
export function logSink(): LogSink | undefined {
  return current;
}

export function createSink(format: LogFormat, style: TextStyle, write = writeStderr): LogSink {
  let phase: string | undefined;
  const track = (record: LogRecord) => {
    if (typeof record.phase === "string") phase = record.phase;
    return record;
  };
  if (format === "json") {
    return {
      format,
      write: (line) => (track(JSON.parse(line) as LogRecord), write(line)),
      fail: (failure) => write(`${JSON.stringify(failureRecord(failure))}\n`),
      get phase() {
        return phase;
      },
    };
  }
  const formatter = new TextFormatter(style, style === "terminal" && colours());
  const live = style === "terminal" ? new TerminalLine(write) : undefined;
  const print = (record: LogRecord, untagged = false) => {
    const text = formatter.format(track(record), untagged);
    if (live) live.above(text);
    else write(text);
  };
  return {
    format,
    write: (line) => print(JSON.parse(line) as LogRecord),
    fail: (failure) => print(failureRecord(failure), true),
    ...(live ? { live } : {}),
    get phase() {
      return phase;
    },
  };
}

function failureRecord({ message, kind, exitCode, hint }: Failure): LogRecord {
  return { level: 50, time: Date.now(), msg: message, kind, exitCode, ...(hint ? { hint } : {}) };
}

class TerminalLine implements LiveLine {
  private text = "";

  constructor(private readonly write: (text: string) => void) {}

  get columns(): number {
    return process.stderr.columns || 80;
  }

  show(text: string): void {
    // One column short of the width: a line that fills it wraps on some terminals, and \r then redraws below.
    this.text = text.slice(0, this.columns - 1);
    this.write(`\r\u001b[K${this.text}`);
  }

  clear(): void {
    if (this.text) this.write("\r\u001b[K");
    this.text = "";
  }

  newLine(): void {
    this.clear();
    this.write("\n");
  }

  /** Log lines go above the live line, which is drawn again below them. */
  above(lines: string): void {
    this.write(this.text ? `\r\u001b[K${lines}${this.text}` : lines);
  }
}

function writeStderr(text: string): void {
  writeSync(STDERR, text);
}

/** journald sets JOURNAL_STREAM to the device and inode of the stream it reads: ours if they match stderr's. */
export function textStyle(env: Readonly<Record<string, string | undefined>>): TextStyle {
  if (process.stderr.isTTY) return "terminal";
  const [device, inode] = (env.JOURNAL_STREAM ?? "").split(":");
  if (device && inode) {
    const stats = fstatSync(STDERR, { bigint: true });
    if (String(stats.dev) === device && String(stats.ino) === inode) return "journal";
  }
  return "plain";
}

function colours(): boolean {
  return process.stderr.hasColors?.() === true && !process.env.NO_COLOR;
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
