import type { Command } from "commander";
import { DEFAULT_PROFILE, PROFILE_VARIABLE } from "../config/profile.js";
import { withSettingOptions } from "../config/setting-options.js";
import { SERVER_SETTING_NAMES } from "../config/setting-table.js";
import { EXIT_CODES, asEnrollError } from "../errors.js";
import { createLogger, logSink, type LogFormat, type Logger } from "../log.js";
import { renderJsonError, renderText, type Result } from "../output.js";

interface GlobalFlags {
  output: "text" | "json";
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
  try {
    const report = await produce(log);
    process.stdout.write(
      `${output === "json" ? JSON.stringify({ ok: true, ...report.json }) : report.text}\n`,
    );
    process.exitCode = report.exitCode ?? EXIT_CODES.ok;
  } catch (caught) {
    const error = asEnrollError(caught);
    log.debug({ err: error.cause ?? error }, "failure detail");
    logSink()?.fail(error);
    if (output === "json") process.stdout.write(`${renderJsonError(error)}\n`);
    process.exitCode = error.exitCode;
  }
}

/** For the flows: their result is the JSON object, and is rendered as text for people. */
export function runFlow(command: Command, flow: (log: Logger) => Promise<Result>): Promise<void> {
  return runReport(command, async (log) => {
    const result = await flow(log);
    return {
      json: result,
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
