import type { Command } from "commander";
import { DEFAULT_PROFILE, PROFILE_VARIABLE } from "../config/profile.js";
import { withSettingOptions } from "../config/setting-options.js";
import { SERVER_SETTING_NAMES } from "../config/setting-table.js";
import { EXIT_CODES, asEnrollError } from "../errors.js";
import { createLogger, logSink, type LogFormat, type Logger } from "../log.js";
import { answer, answerFailure, type OutputFormat } from "../answer.js";
import { interruption, onStopSignal } from "../interrupt.js";
import { resultJson, type Result } from "../flows/result.js";
import { renderText } from "../output.js";

interface GlobalFlags {
  output: OutputFormat;
  logLevel: string;
  logFormat: LogFormat;
}

/** What a command prints: a text for people or one JSON object for scripts, and its exit code. */
export interface Report {
  json: object;
  text: string;
  exitCode?: number;
}

/** Runs one command and turns its report or error into stdout, stderr and the exit code. */
export async function runReport(command: Command, produce: (log: Logger) => Promise<Report>): Promise<void> {
  const { output, logLevel, logFormat } = command.optsWithGlobals<GlobalFlags>();
  const log = await createLogger({ level: logLevel, format: logFormat });
  const stopListening = onStopSignal((signal) => {
    if (signal === "SIGINT") logSink()?.live?.newLine();
    const stopped = interruption(signal, command.name(), logSink()?.phase);
    answerFailure(output, stopped, { signal, ...(stopped.phase ? { phase: stopped.phase } : {}) });
    process.exit();
  });
  try {
    const report = await produce(log);
    answer(output, { ok: true, ...report.json }, report.text);
    process.exitCode = report.exitCode ?? EXIT_CODES.ok;
  } catch (caught) {
    const error = asEnrollError(caught);
    log.debug({ err: error.cause ?? error }, "failure detail");
    answerFailure(output, error);
  } finally {
    stopListening();
  }
}

/** For the flows: their result is the JSON object, and is rendered as text for people. */
export function runFlow(command: Command, flow: (log: Logger) => Promise<Result>): Promise<void> {
  return runReport(command, async (log) => {
    const result = await flow(log);
    return {
      json: resultJson(result),
      text: renderText(result),
      ...("exitCode" in result ? { exitCode: result.exitCode } : {}),
    };
  });
}

/** The options every command that talks to a Rancher server takes. */
export function withServerOptions(command: Command): Command {
  return withSettingOptions(
    command.option(
      "--profile <name>",
      `named profile [env: ${PROFILE_VARIABLE}, default: ${DEFAULT_PROFILE}]`,
    ),
    SERVER_SETTING_NAMES,
  );
}
