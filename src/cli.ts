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
import { EXIT_CODES } from "./errors.js";
import { LOG_FORMAT_VARIABLE, LOG_FORMATS } from "./log.js";
import { versionLine } from "./version.js";

const program = new Command("rancher-enroll")
  .description("Enroll this machine into Rancher and confirm it is an active host.")
  .version(versionLine())
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

async function main(): Promise<void> {
  try {
    await program.parseAsync();
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    process.exitCode = error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
  }
}

// Not a top-level await: the single executable is a CommonJS bundle.
void main();
