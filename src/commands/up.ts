import type { Command } from "commander";
import { UP_ONLY_SETTING_NAMES } from "../config/setting-table.js";
import { withSettingOptions } from "../config/setting-options.js";
import { resolveUpSettings, type UpFlags } from "../config/settings.js";
import { Deadline } from "../deadline.js";
import { logSink, type Logger } from "../log.js";
import { pullProgressReporter } from "../progress.js";
import { agentChooser, enrollmentStore, serverConnector } from "./clients.js";
import { runFlow, withServerOptions } from "./run.js";
import type { CommandSpec } from "./spec.js";

export const UP: CommandSpec = {
  name: "up",
  description:
    "register this machine in a Rancher environment (1.6) or cluster (2.x) and wait until it is active",
  hasOptions: true,
  complete: (listing) =>
    withSettingOptions(withServerOptions(listing), UP_ONLY_SETTING_NAMES)
      .option("--dry-run", "show what would be done, change nothing")
      .action((flags: UpFlags, command: Command) => runFlow(command, (log) => runUp(flags, log))),
};

async function runUp(flags: UpFlags, log: Logger) {
  const [{ up }, { lineOfPath }] = await Promise.all([
    import("../flows/up.js"),
    import("../rancher/detect.js"),
  ]);
  const settings = resolveUpSettings(flags, process.env, (message) => log.warn(message));
  const deadline = new Deadline(settings.timeoutSeconds);
  const onPullProgress = pullProgressReporter(log, logSink()?.live);
  return up({
    settings,
    deadline,
    connect: serverConnector(() => settings.server, log, deadline),
    urlLine: lineOfPath(settings.server.apiVersion),
    agentFor: agentChooser(log, settings.waitForDockerSeconds, onPullProgress),
    store: enrollmentStore(),
    log,
    env: process.env,
  });
}
