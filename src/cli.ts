#!/usr/bin/env node
import { Command, CommanderError, Option } from "commander";
import { commanderOutput } from "./commander-output.js";
import { configureCommand } from "./commands/configure.js";
import { downCommand } from "./commands/down.js";
import { prepareCommand } from "./commands/prepare.js";
import { profilesCommand } from "./commands/profiles.js";
import { settingsCommand } from "./commands/settings.js";
import { statusCommand } from "./commands/status.js";
import { upCommand } from "./commands/up.js";
import { answerCrash, jsonFailure, requestedOutput } from "./answer.js";
import { EnrollError, EXIT_CODES } from "./errors.js";
import { withHelp } from "./help.js";
import { LOG_FORMAT_VARIABLE, LOG_FORMATS } from "./log.js";
import { VERSION_FLAGS, versionText } from "./version.js";

const program = new Command("rancher-enroll")
  .description("Enroll this machine into Rancher and confirm it is an active host.")
  .version(
    versionText(),
    VERSION_FLAGS.join(", "),
    "show the version, the build and the Rancher servers it supports",
  )
  .addOption(
    new Option("-o, --output <format>", "result on stdout").choices(["text", "json"]).default("text"),
  )
  .addOption(
    new Option("--log-level <level>", "log detail on stderr")
      .choices(["debug", "info", "warn", "error", "silent"])
      .default("info"),
  )
  .addOption(
    new Option("--log-format <format>", "log lines for people (text) or machines (json)")
      .choices(LOG_FORMATS)
      .env(LOG_FORMAT_VARIABLE)
      .default("text"),
  )
  .exitOverride()
  .configureOutput(commanderOutput);
for (const command of [
  upCommand(),
  statusCommand(),
  downCommand(),
  prepareCommand(),
  configureCommand(),
  profilesCommand(),
  settingsCommand(),
])
  program.addCommand(command.copyInheritedSettings(program));
withHelp(program);

async function main(): Promise<void> {
  try {
    await program.parseAsync();
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    process.exitCode = error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    if (error.exitCode !== 0) jsonFailure(requestedOutput(), usageError(error));
  }
}

/** commander has told the error on stderr already ("error: unknown option '--x'"). */
function usageError(error: CommanderError): EnrollError {
  const command = process.argv.slice(2).find((arg) => program.commands.some((c) => c.name() === arg));
  return new EnrollError(
    "usage",
    error.message.replace(/^error: /, ""),
    `See \`rancher-enroll ${command ? `${command} ` : ""}--help\`.`,
  );
}

process.on("uncaughtException", answerCrash);
process.on("unhandledRejection", answerCrash);

// Not a top-level await: the single executable is a CommonJS bundle.
void main();
