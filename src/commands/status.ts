import { Command } from "commander";
import { withSettingOptions } from "../config/setting-options.js";
import { resolveServerSettings } from "../config/settings.js";
import type { Logger } from "../log.js";
import { agentChooser, enrollmentStore, serverConnector } from "./clients.js";
import { commandClock, type ClockFlags } from "./command-clock.js";
import { runFlow, withServerOptions } from "./run.js";

export function statusCommand(): Command {
  return withSettingOptions(withServerOptions(new Command("status")), ["timeout", "waitForDocker"])
    .description(
      "show the agent container and the host's state on the server (exit 0 active, 10 not enrolled, 11 unhealthy)",
    )
    .action((flags: ClockFlags, command: Command) => runFlow(command, (log) => runStatus(flags, log)));
}

async function runStatus(flags: ClockFlags, log: Logger) {
  const { status } = await import("../flows/status.js");
  const warn = (message: string) => log.warn(message);
  const { deadline, waitForDockerSeconds } = commandClock(flags, warn);
  return status({
    log,
    deadline,
    agentFor: agentChooser(log, waitForDockerSeconds),
    store: enrollmentStore(),
    connect: serverConnector(() => resolveServerSettings(flags, process.env, warn), log, deadline),
  });
}
