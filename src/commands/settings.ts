import { Command } from "commander";
import { describeOrigin } from "../config/resolve.js";
import { withSettingOptions } from "../config/setting-options.js";
import { UP_ONLY_SETTING_NAMES, UP_SETTING_NAMES } from "../config/setting-table.js";
import { effectiveSettings, type EffectiveSettings, type ServerFlags } from "../config/settings.js";
import { table } from "./table.js";
import { runReport, withServerOptions, type Report } from "./run.js";

export function settingsCommand(): Command {
  return withSettingOptions(withServerOptions(new Command("settings")), UP_ONLY_SETTING_NAMES)
    .description("show the settings `up` would use and where each comes from (credentials masked)")
    .action((flags: ServerFlags, command: Command) =>
      runReport(command, async (log) =>
        settingsReport(
          effectiveSettings(UP_SETTING_NAMES, flags, process.env, (message) => log.warn(message)),
        ),
      ),
    );
}

function settingsReport({ profile, files, settings }: EffectiveSettings): Report {
  const rows = settings.map(({ key, value, origin }) => [
    key,
    value ?? "(not set)",
    origin ? describeOrigin(origin) : "-",
  ]);
  const missing = settings.filter((item) => item.required);
  const lines = [
    `profile "${profile.name}" (${profile.chosenBy ?? "the default"}); config ${files.config}, credentials ${files.credentials}`,
    table([["SETTING", "VALUE", "FROM"], ...rows]),
    ...missing.map(({ key, places = [] }) => `${key} is required: ${places.join(", or ")}`),
  ];
  return {
    json: { kind: "settings", profile, files, complete: missing.length === 0, settings },
    text: lines.join("\n"),
  };
}
