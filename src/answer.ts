import { writeSync } from "node:fs";
import { asEnrollError } from "./errors.js";
import { logSink } from "./log.js";
import { READER_GONE_EXIT_CODE, readerGone } from "./reader-gone.js";

export type OutputFormat = "text" | "json";

/** A failure as the user is told of it: an EnrollError, or an interruption. */
export interface Failure {
  readonly kind: string;
  readonly exitCode: number;
  readonly message: string;
  readonly hint?: string | undefined;
}

const STDOUT = 1;
let answered = false;

/**
 * The command's answer on stdout: a text for people, or exactly one JSON object for scripts whatever happens
 * (a result, an error, a usage error, an interruption, a crash). Only the first answer is written.
 */
export function answer(format: OutputFormat, json: object, text: string): void {
  if (answered) return;
  answered = true;
  writeSync(STDOUT, `${format === "json" ? JSON.stringify(json) : text}\n`);
}

/** A failure: its message on stderr (through the logs), the JSON error on stdout; then the exit code. */
export function answerFailure(format: OutputFormat, failure: Failure, details: object = {}): void {
  if (answered) return;
  const sink = logSink();
  if (sink) sink.fail(failure);
  else writeSync(2, `error: ${failure.message}\n${failure.hint ? `  ${failure.hint}\n` : ""}`);
  jsonFailure(format, failure, details);
  process.exitCode = failure.exitCode;
}

/** Only the JSON error, for a failure already told on stderr (commander's usage errors). */
export function jsonFailure(format: OutputFormat, failure: Failure, details: object = {}): void {
  if (format === "json") answer(format, renderJsonFailure(failure, details), "");
  answered = true;
}

export function renderJsonFailure({ kind, exitCode, message, hint }: Failure, details: object = {}) {
  return { ok: false, error: { kind, exitCode, message, ...(hint ? { hint } : {}), ...details } };
}

/** --output as the command line spells it: read apart from commander, which stops at the first usage error. */
export function requestedOutput(args: readonly string[] = process.argv.slice(2)): OutputFormat {
  let format: string | undefined;
  args.forEach((arg, index) => {
    const value = /^(?:--output=|-o=?)(.+)$/.exec(arg)?.[1];
    if (value !== undefined) format = value;
    else if (arg === "--output" || arg === "-o") format = args[index + 1];
  });
  return format === "json" ? "json" : "text";
}

/** The last resort: a failure nothing else caught still ends with one answer and exit code 1. */
export function answerCrash(error: unknown): never {
  if (readerGone(error)) process.exit(READER_GONE_EXIT_CODE);
  answerFailure(requestedOutput(), asEnrollError(error));
  process.exit();
}
