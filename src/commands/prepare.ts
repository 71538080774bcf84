import { Command } from "commander";
import { withSettingOptions } from "../config/setting-options.js";
import { effectiveSettings, resolveNamedSettings, resolveServerSettings } from "../config/settings.js";
import { logSink, type Logger } from "../log.js";
import { pullProgressReporter } from "../progress.js";
import { agentChooser, enrollmentStore, serverConnector } from "./clients.js";
import { commandClock, type ClockFlags } from "./command-clock.js";
import { runFlow, withServerOptions } from "./run.js";

interface PrepareFlags extends ClockFlags {
  agentImage?: string;
  clean?: boolean;
  environment?: string;
}

export function prepareCommand(): Command {
  return withSettingOptions(withServerOptions(new Command("prepare")), [
    "environment",
    "timeout",
    "waitForDocker",
  ])
    .description(
      "for image builds: pull the agent image ahead of time; with --clean, leave no machine identity",
    )
    .option(
      "--agent-image <image>",
      "the image to pull (default: the server's agent image, when its settings are given)",
    )
    .option("--clean", "remove agent containers and volumes, /var/lib/rancher/state and our state file")
    .action((flags: PrepareFlags, command: Command) => runFlow(command, (log) => runPrepare(flags, log)));
}

async function runPrepare(flags: PrepareFlags, log: Logger) {
  const { prepare } = await import("../flows/prepare.js");
  const warn = (message: string) => log.warn(message);
  const { environment } = resolveNamedSettings(["environment"], flags, process.env, warn);
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
    ...(environment ? { wanted: { nameOrId: environment, word: "environment" as const } } : {}),
    clean: flags.clean ?? false,
    deadline,
  });
}
