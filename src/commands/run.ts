import type { Command } from "commander";
import { DEFAULT_PROFILE, PROFILE_VARIABLE } from "../config/profile.js";
import { withSettingOptions } from "../config/setting-options.js";
import { SERVER_SETTING_NAMES } from "../config/setting-table.js";
import { EXIT_CODES, asEnrollError } from "../errors.js";
import { createLogger, type Logger } from "../log.js";
import { renderJson, renderJsonError, renderText, renderTextError, type Result } from "../output.js";

interface GlobalFlags {
  output: "text" | "json";
  logLevel: string;
}

/** Runs one flow and turns its result or error into stdout, stderr and the exit code. */
export async function runFlow(command: Command, flow: (log: Logger) => Promise<Result>): Promise<void> {
  const { output, logLevel } = command.optsWithGlobals<GlobalFlags>();
  const log = await createLogger({ level: logLevel, pretty: Boolean(process.stderr.isTTY) });
  try {
    const result = await flow(log);
    process.stdout.write(`${output === "json" ? renderJson(result) : renderText(result)}\n`);
    process.exitCode = "exitCode" in result ? result.exitCode : EXIT_CODES.ok;
  } catch (caught) {
    const error = asEnrollError(caught);
    log.debug({ err: error.cause ?? error }, "failure detail");
    process.stderr.write(`${renderTextError(error)}\n`);
    if (output === "json") process.stdout.write(`${renderJsonError(error)}\n`);
    process.exitCode = error.exitCode;
  }
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
