import type { Command } from "commander";
import { withSettingOptions } from "../config/setting-options.js";
import { logSink, type Logger } from "../log.js";
import { pullProgressReporter } from "../progress.js";
import {
  agentChooser,
  checkedPrepareSettings,
  enrollmentStore,
  serverConnector,
  type PrepareFlags,
} from "./clients.js";
import { runFlow, withServerOptions } from "./run.js";
import type { CommandSpec } from "./spec.js";

export const PREPARE: CommandSpec = {
  name: "prepare",
  description:
    "for image builds: pull the agent image ahead of time; with --clean, leave no machine identity",
  hasOptions: true,
  complete: (listing) =>
    withSettingOptions(withServerOptions(listing), ["environment", "cluster", "timeout", "waitForDocker"])
      .option(
        "--agent-image <image>",
        "the image to pull (default: the server's agent image, when its settings are given)",
      )
      .option(
        "--clean",
        "remove the agent's containers, the machine's identity (1.6: /var/lib/rancher/state; 2.x: Rancher's RKE1 node clean-up) and our state file",
      )
      .action((flags: PrepareFlags, command: Command) => runFlow(command, (log) => runPrepare(flags, log))),
};

async function runPrepare(flags: PrepareFlags, log: Logger) {
  const { prepare } = await import("../flows/prepare.js");
  const { deadline, waitForDockerSeconds, wanted, server } = checkedPrepareSettings(flags, (message) =>
    log.warn(message),
  );
  const onPullProgress = pullProgressReporter(log, logSink()?.live);
  return prepare({
    agentFor: agentChooser(log, waitForDockerSeconds, onPullProgress),
    store: enrollmentStore(),
    log,
    ...(flags.agentImage ? { agentImage: flags.agentImage } : {}),
    ...(server ? { connect: serverConnector(() => server, log, deadline) } : {}),
    ...(wanted ? { wanted } : {}),
    clean: flags.clean ?? false,
    deadline,
  });
}
