import { Option, type Command } from "commander";
import { setting, showValue, type Setting, type SettingName } from "./setting-table.js";

/** Adds the settings' flags to a command, their help naming every other place the value can come from. */
export function withSettingOptions(command: Command, names: readonly SettingName[]): Command {
  for (const name of names) command.addOption(settingOption(setting(name)));
  return command;
}

function settingOption(item: Setting<unknown>): Option {
  const flags = [item.shortFlag && `${item.shortFlag},`, item.flag, item.argument].filter(Boolean).join(" ");
  const sources = [
    ...(item.env ? [`env: ${item.env}`] : []),
    `profile: ${item.key}`,
    ...(item.fallback !== undefined ? [`default: ${showValue(item, item.fallback)}`] : []),
  ];
  const option = new Option(flags, `${item.help} [${sources.join(", ")}]`);
  if (item.joinFlagValues) option.argParser((value: string, all: string[] = []) => [...all, value]);
  return option;
}
