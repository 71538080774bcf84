#!/usr/bin/env node
import { createRequire } from "node:module";
import { Command, CommanderError, Option } from "commander";
import { resolveUpSettings, type UpFlags } from "./config/settings.js";
import { connectDocker } from "./docker/engine.js";
import { EXIT_CODES, asEnrollError } from "./errors.js";
import { createLogger, type Logger } from "./log.js";
import { renderJson, renderJsonError, renderText, renderTextError, type Result } from "./output.js";
import { pullProgressReporter } from "./progress.js";
import { CattleApi } from "./rancher/cattle.js";
import { ApiClient } from "./rancher/http.js";
import { localHostnames } from "./register/local-host.js";
import { up } from "./register/up.js";

interface GlobalFlags {
  output: "text" | "json";
  logLevel: string;
}

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

function program(): Command {
  const root = new Command("rancher-enroll")
    .description("Enroll this machine into Rancher and confirm it is an active host.")
    .version(version)
    .addOption(
      new Option("-o, --output <format>", "result on stdout").choices(["text", "json"]).default("text"),
    )
    .addOption(
      new Option("--log-level <level>", "log detail on stderr")
        .choices(["debug", "info", "warn", "error", "silent"])
        .default("info"),
    )
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  withServerOptions(root.command("up"))
    .description("register this host in a Rancher environment and wait until it is active")
    .option(
      "-e, --environment <name|id>",
      "target environment (default: RANCHER_ENVIRONMENT, or the only one the key sees)",
    )
    .option("-l, --label <key=value>", "host label, repeatable", collect, [])
    .option("--agent-ip <ip>", "IPv4 address the agent registers (CATTLE_AGENT_IP)")
    .option("--timeout <seconds>", "give up after this many seconds", "600")
    .option("--dry-run", "show what would be done, change nothing")
    .action((flags: UpFlags, command: Command) => run(command, (log) => runUp(flags, log, command)));
  return root;
}

function withServerOptions(command: Command): Command {
  return command
    .option("--url <url>", "Rancher server URL (default: RANCHER_URL)")
    .option("--access-key <key>", "API access key (default: RANCHER_ACCESS_KEY)")
    .option("--secret-key <key>", "API secret key; prefer RANCHER_SECRET_KEY, a flag lands in shell history");
}

async function runUp(flags: UpFlags, log: Logger, command: Command): Promise<Result> {
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
  }).finally(() => log.debug({ apiRequests: http.requestCount, command: command.name() }, "api requests"));
}

/** Turns a flow's result or error into stdout, stderr and the exit code. */
async function run(command: Command, flow: (log: Logger) => Promise<Result>): Promise<void> {
  const { output, logLevel } = command.optsWithGlobals<GlobalFlags>();
  const log = createLogger({ level: logLevel, pretty: Boolean(process.stderr.isTTY) });
  try {
    const result = await flow(log);
    process.stdout.write(`${output === "json" ? renderJson(result) : renderText(result)}\n`);
    process.exitCode = EXIT_CODES.ok;
  } catch (caught) {
    const error = asEnrollError(caught);
    log.debug({ err: error.cause ?? error }, "failure detail");
    process.stderr.write(`${renderTextError(error)}\n`);
    if (output === "json") process.stdout.write(`${renderJsonError(error)}\n`);
    process.exitCode = error.exitCode;
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

try {
  await program().parseAsync();
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  process.exitCode = error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
}
