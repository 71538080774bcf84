import type { Command } from "commander";
import { withSettingOptions } from "../config/setting-options.js";
import {
  effectiveSettings,
  resolveNamedSettings,
  resolveServerSettings,
  wantedTarget,
} from "../config/settings.js";
import { logSink, type Logger } from "../log.js";
import { pullProgressReporter } from "../progress.js";
import { agentChooser, enrollmentStore, serverConnector } from "./clients.js";
import { commandClock, type ClockFlags } from "./command-clock.js";
import { runFlow, withServerOptions } from "./run.js";
import type { CommandSpec } from "./spec.js";

interface PrepareFlags extends ClockFlags {
  agentImage?: string;
  clean?: boolean;
  environment?: string;
  cluster?: string;
}

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
  const warn = (message: string) => log.warn(message);
  const wanted = wantedTarget(resolveNamedSettings(["environment", "cluster"], flags, process.env, warn));
  const { deadline, waitForDockerSeconds } = commandClock(flags, warn);
  const serverConfigured =
    effectiveSettings(["url"], flags, process.env, warn).settings[0]?.value !== undefined;
  const useServer = !flags.agentImage && (serverConfigured || !flags.clean);
  const onPullProgress = pullProgressReporter(log, logSink()?.live);
  return prepare({
    agentFor: agentChooser(log, waitForDockerSeconds, onPullProgress),
    store: enrollmentStore(),
    log,
    ...(flags.agentImage ? { agentImage: flags.agentImage } : {}),
    ...(useServer
      ? { connect: serverConnector(() => resolveServerSettings(flags, process.env, warn), log, deadline) }
      : {}),
    ...(wanted ? { wanted } : {}),
    clean: flags.clean ?? false,
    deadline,
  });
}
