import { Command } from "commander";
import { resolveServerSettings, type ServerFlags } from "../config/settings.js";
import type { Logger } from "../log.js";
import { dockerClient, enrollmentStore, serverConnector } from "./clients.js";
import { runFlow, withServerOptions } from "./run.js";

export function statusCommand(): Command {
  return withServerOptions(new Command("status"))
    .description(
      "show the agent container and the host's state on the server (exit 0 active, 10 not enrolled, 11 unhealthy)",
    )
    .action((flags: ServerFlags, command: Command) => runFlow(command, (log) => runStatus(flags, log)));
}

async function runStatus(flags: ServerFlags, log: Logger) {
  const { status } = await import("../register/status.js");
  return status({
    docker: await dockerClient(),
    store: enrollmentStore(),
    connect: serverConnector(
      () => resolveServerSettings(flags, process.env, (message) => log.warn(message)),
      log,
    ),
  });
}
