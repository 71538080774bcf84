#!/usr/bin/env node
import { createRequire } from "node:module";
import { Command, CommanderError, Option } from "commander";
import { configureCommand } from "./commands/configure.js";
import { profilesCommand } from "./commands/profiles.js";
import { settingsCommand } from "./commands/settings.js";
import { upCommand } from "./commands/up.js";
import { EXIT_CODES } from "./errors.js";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

const program = new Command("rancher-enroll")
  .description("Enroll this machine into Rancher and confirm it is an active host.")
  .version(version)
  .addOption(
    new Option("-o, --output <format>", "result on stdout").choices(["text", "json"]).default("text"),
  )
  .addOption(
    new Option("--log-level <level>", "log detail on stderr")
      .choices(["debug", "info", "warn", "error", "silent"])
      .default("info"),
  )
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });
for (const command of [upCommand(), configureCommand(), profilesCommand(), settingsCommand()])
  program.addCommand(command.copyInheritedSettings(program));

try {
  await program.parseAsync();
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  process.exitCode = error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
}
