import type { Command } from "commander";
import { withSettingOptions } from "../config/setting-options.js";
import type { Logger } from "../log.js";
import { agentChooser, checkedSettings, enrollmentStore, serverConnector } from "./clients.js";
import type { ClockFlags } from "./command-clock.js";
import { runFlow, withServerOptions } from "./run.js";
import type { CommandSpec } from "./spec.js";

interface DownFlags extends ClockFlags {
  purge?: boolean;
  force?: boolean;
  yes?: boolean;
}

export const DOWN: CommandSpec = {
  name: "down",
  description: "take this host out of its environment: remove it on the server, remove the agent",
  hasOptions: true,
  complete: (listing) =>
    withSettingOptions(withServerOptions(listing), ["timeout", "waitForDocker"])
      .option("--purge", "also forget the machine's identity, so the next `up` makes a new host")
      .option(
        "--force",
        "when the server cannot be reached or refuses, remove the agent anyway and leave the host on the server",
      )
      .option(
        "-y, --yes",
        "do not ask for confirmation (never asked without a terminal; on one, the question waits at most --timeout)",
      )
      .action((flags: DownFlags, command: Command) => runFlow(command, (log) => runDown(flags, log))),
};

async function runDown(flags: DownFlags, log: Logger) {
  const { down } = await import("../flows/down.js");
  const warn = (message: string) => log.warn(message);
  const store = enrollmentStore();
  const { deadline, waitForDockerSeconds, server } = await checkedSettings(flags, store, warn);
  return down({
    agentFor: agentChooser(log, waitForDockerSeconds),
    store,
    log,
    connect: serverConnector(server, log, deadline),
    purge: flags.purge ?? false,
    force: flags.force ?? false,
    ...(process.stdin.isTTY && !flags.yes ? { confirm: askPerson } : {}),
    deadline,
  });
}

async function askPerson(question: string, signal: AbortSignal): Promise<boolean> {
  // Loaded here only, as in configure: its stream and readline would cost every command's start-up.
  const { confirm } = await import("../config/ask.js");
  return confirm(question, {
    input: process.stdin,
    output: process.stderr,
    interrupted: "down interrupted at the question: nothing was changed",
    signal,
  });
}
