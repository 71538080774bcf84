import { Command, Option } from "commander";
import { commanderOutput } from "../commander-output.js";
import { withHelp } from "../help.js";
import { LOG_FORMAT_VARIABLE, LOG_FORMATS } from "../log.js";
import { VERSION_FLAGS, versionText } from "../version.js";
import { CONFIGURE } from "./configure.js";
import { DOWN } from "./down.js";
import { PREPARE } from "./prepare.js";
import { PROFILES } from "./profiles.js";
import { SETTINGS } from "./settings.js";
import { builtCommand, listedCommand, type CommandSpec } from "./spec.js";
import { STATUS } from "./status.js";
import { UP } from "./up.js";

export const COMMANDS: readonly CommandSpec[] = [UP, STATUS, DOWN, PREPARE, CONFIGURE, PROFILES, SETTINGS];

/**
 * The CLI for these arguments: every command that they name is built (an option's value that happens to be a
 * command's name builds one more, to no harm); the others are only listed, as commander reaches a command only
 * through its name.
 */
export function buildProgram(args: readonly string[]): Command {
  const root = new Command("rancher-enroll")
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
  for (const spec of COMMANDS) {
    const command = args.includes(spec.name) ? builtCommand(spec) : listedCommand(spec);
    root.addCommand(command.copyInheritedSettings(root));
  }
  return withHelp(root, COMMANDS);
}
