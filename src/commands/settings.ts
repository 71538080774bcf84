import type { Command } from "commander";
import { describeOrigin } from "../config/resolve.js";
import { withSettingOptions } from "../config/setting-options.js";
import { UP_ONLY_SETTING_NAMES, UP_SETTING_NAMES } from "../config/setting-table.js";
import { effectiveSettings, type EffectiveSettings, type ServerFlags } from "../config/settings.js";
import { table } from "./table.js";
import { runReport, withServerOptions, type Report } from "./run.js";
import type { CommandSpec } from "./spec.js";

export const SETTINGS: CommandSpec = {
  name: "settings",
  description: "show the settings `up` would use and where each comes from (credentials masked)",
  hasOptions: true,
  complete: (listing) =>
    withSettingOptions(withServerOptions(listing), UP_ONLY_SETTING_NAMES).action(
      (flags: ServerFlags, command: Command) =>
        runReport(command, async (log) =>
          settingsReport(
            effectiveSettings(UP_SETTING_NAMES, flags, process.env, (message) => log.warn(message)),
          ),
        ),
    ),
};

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
