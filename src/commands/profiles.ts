import type { Command } from "commander";
import { ProfileFiles, profilePaths } from "../config/profile-files.js";
import { chooseProfile, Profile } from "../config/profile.js";
import { setting, showValue, type SettingName } from "../config/setting-table.js";
import { table } from "./table.js";
import { runReport, type Report } from "./run.js";
import type { CommandSpec } from "./spec.js";

interface ListedProfile {
  name: string;
  /** The profile commands use without --profile (RANCHER_PROFILE, else default). */
  current: boolean;
  url?: string;
  environment?: string;
  /** Masked. */
  accessKey?: string;
  /** Whether it is set: never shown. */
  secretKey: boolean;
}

export const PROFILES: CommandSpec = {
  name: "profiles",
  description: "list the profiles and where they are kept (secrets are never shown)",
  hasOptions: false,
  complete: (listing) =>
    listing.action((_flags: object, command: Command) => runReport(command, async () => listProfiles())),
};

function listProfiles(): Report {
  const files = new ProfileFiles(profilePaths(process.env));
  const current = chooseProfile(undefined, process.env).name;
  const profiles = files.names().map((name) => listed(new Profile(name, undefined, files), current));
  const rows = profiles.map((p) => [
    p.current ? `${p.name} *` : p.name,
    p.url ?? "-",
    p.environment ?? "-",
    p.accessKey ?? "-",
    p.secretKey ? "set" : "-",
  ]);
  const where = `config: ${files.paths.config}\ncredentials: ${files.paths.credentials}`;
  const list =
    profiles.length === 0
      ? "no profiles yet: `rancher-enroll configure` writes one"
      : `${table([["PROFILE", "URL", "ENVIRONMENT", "ACCESS KEY", "SECRET KEY"], ...rows])}\n` +
        "(* the profile used without --profile)";
  return { json: { kind: "profiles", files: files.paths, profiles }, text: `${list}\n${where}` };
}

function listed(profile: Profile, current: string): ListedProfile {
  const text = (name: SettingName) => profile.get(setting(name))?.value;
  const accessKey = text("accessKey");
  return {
    name: profile.name,
    current: profile.name === current,
    url: text("url"),
    environment: text("environment"),
    accessKey: accessKey && showValue(setting("accessKey"), accessKey),
    secretKey: text("secretKey") !== undefined,
  };
}
