import { Command } from "commander";
import { withSettingOptions } from "../config/setting-options.js";
import { resolveUpSettings, type UpFlags } from "../config/settings.js";
import { connectDocker } from "../docker/engine.js";
import type { Logger } from "../log.js";
import { pullProgressReporter } from "../progress.js";
import { CattleApi } from "../rancher/cattle.js";
import { ApiClient } from "../rancher/http.js";
import { localHostnames } from "../register/local-host.js";
import { up } from "../register/up.js";
import { runFlow, withServerOptions } from "./run.js";

export function upCommand(): Command {
  return withSettingOptions(withServerOptions(new Command("up")), [
    "environment",
    "labels",
    "agentIp",
    "timeout",
  ])
    .description("register this host in a Rancher environment and wait until it is active")
    .option("--dry-run", "show what would be done, change nothing")
    .action((flags: UpFlags, command: Command) => runFlow(command, (log) => runUp(flags, log)));
}

function runUp(flags: UpFlags, log: Logger) {
  const settings = resolveUpSettings(flags, process.env, (message) => log.warn(message));
  const http = new ApiClient(settings.server.url, settings.server, log);
  return up({
    settings,
    rancher: new CattleApi(http, log, settings.server.projectHint),
    docker: connectDocker(),
    log,
    env: process.env,
    hostnames: localHostnames,
    onPullProgress: pullProgressReporter(log, process.stderr.isTTY ? process.stderr : undefined),
  });
}
