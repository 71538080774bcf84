import { Command } from "commander";
import { withSettingOptions } from "../config/setting-options.js";
import { resolveNamedSettings, resolveServerSettings, type ServerFlags } from "../config/settings.js";
import { Deadline } from "../deadline.js";
import type { Logger } from "../log.js";
import { dockerClient, enrollmentStore, serverConnector } from "./clients.js";
import { runFlow, withServerOptions } from "./run.js";

interface DownFlags extends ServerFlags {
  purge?: boolean;
  timeout?: string;
  waitForDocker?: string;
}

export function downCommand(): Command {
  return withSettingOptions(withServerOptions(new Command("down")), ["timeout", "waitForDocker"])
    .description("take this host out of its environment: remove it on the server, remove the agent")
    .option("--purge", "also forget the machine's identity, so the next `up` makes a new host")
    .action((flags: DownFlags, command: Command) => runFlow(command, (log) => runDown(flags, log)));
}

async function runDown(flags: DownFlags, log: Logger) {
  const { down } = await import("../register/down.js");
  const warn = (message: string) => log.warn(message);
  const { timeout, waitForDocker } = resolveNamedSettings(
    ["timeout", "waitForDocker"],
    flags,
    process.env,
    warn,
  );
  const deadline = new Deadline(timeout);
  return down({
    docker: await dockerClient(),
    store: enrollmentStore(),
    log,
    connect: serverConnector(() => resolveServerSettings(flags, process.env, warn), log, deadline),
    purge: flags.purge ?? false,
    deadline,
    waitForDockerSeconds: waitForDocker,
  });
}
