import type { Command } from "commander";
import { withSettingOptions } from "../config/setting-options.js";
import type { Logger } from "../log.js";
import { agentChooser, checkedSettings, enrollmentStore, serverConnector } from "./clients.js";
import type { ClockFlags } from "./command-clock.js";
import { runFlow, withServerOptions } from "./run.js";
import type { CommandSpec } from "./spec.js";

export const STATUS: CommandSpec = {
  name: "status",
  description:
    "show the agent container and the host's state on the server (exit 0 active, 10 not enrolled, 11 unhealthy, 12 server not checked)",
  hasOptions: true,
  complete: (listing) =>
    withSettingOptions(withServerOptions(listing), ["timeout", "waitForDocker"]).action(
      (flags: ClockFlags, command: Command) => runFlow(command, (log) => runStatus(flags, log)),
    ),
};

async function runStatus(flags: ClockFlags, log: Logger) {
  const { status } = await import("../flows/status.js");
  const warn = (message: string) => log.warn(message);
  const store = enrollmentStore();
  const { deadline, waitForDockerSeconds, server } = await checkedSettings(flags, store, warn);
  return status({
    log,
    deadline,
    agentFor: agentChooser(log, waitForDockerSeconds),
    store,
    connect: serverConnector(server, log, deadline),
  });
}
