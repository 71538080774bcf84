import { Command } from "commander";

/**
 * A command of the CLI. Building one (its options come from the settings table) costs more than printing `--help`,
 * so the CLI builds only the commands its command line names (program.ts); `--help` lists the others from this.
 */
export interface CommandSpec {
  name: string;
  description: string;
  /** Whether it has options: `--help` lists it as `name [options]`, as commander does a built command. */
  hasOptions: boolean;
  /** Adds its options and its action to the command as listed. */
  complete(command: Command): Command;
}

/** The command as `--help` lists it: its name and description only. */
export const listedCommand = (spec: CommandSpec): Command =>
  new Command(spec.name).description(spec.description);

export const builtCommand = (spec: CommandSpec): Command => spec.complete(listedCommand(spec));

/** How `--help` lists a command, built or not (commander's own subcommandTerm() counts the options built). */
export const listedTerm = (spec: CommandSpec): string =>
  spec.hasOptions ? `${spec.name} [options]` : spec.name;
