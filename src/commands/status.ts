import { Command } from "commander";
import { withSettingOptions } from "../config/setting-options.js";
import { resolveNamedSettings, resolveServerSettings, type ServerFlags } from "../config/settings.js";
import { Deadline } from "../deadline.js";
import type { Logger } from "../log.js";
import { dockerClient, enrollmentStore, serverConnector } from "./clients.js";
import { runFlow, withServerOptions } from "./run.js";

interface StatusFlags extends ServerFlags {
  timeout?: string;
  waitForDocker?: string;
}

export function statusCommand(): Command {
  return withSettingOptions(withServerOptions(new Command("status")), ["timeout", "waitForDocker"])
    .description(
      "show the agent container and the host's state on the server (exit 0 active, 10 not enrolled, 11 unhealthy)",
    )
    .action((flags: StatusFlags, command: Command) => runFlow(command, (log) => runStatus(flags, log)));
}

async function runStatus(flags: StatusFlags, log: Logger) {
  const { status } = await import("../register/status.js");
  const warn = (message: string) => log.warn(message);
  const { timeout, waitForDocker } = resolveNamedSettings(
    ["timeout", "waitForDocker"],
    flags,
    process.env,
    warn,
  );
  return status({
    log,
    waitForDockerSeconds: Math.min(waitForDocker, timeout),
    docker: await dockerClient(),
    store: enrollmentStore(),
    connect: serverConnector(
      () => resolveServerSettings(flags, process.env, warn),
      log,
      new Deadline(timeout),
    ),
  });
}
