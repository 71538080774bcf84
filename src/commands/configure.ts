import type { Command } from "commander";
import type { Question, Terminal } from "../config/ask.js";
import { ProfileFiles, profilePaths } from "../config/profile-files.js";
import type { FileKind } from "../config/profile-parse.js";
import { chooseProfile, DEFAULT_PROFILE, fileOf, Profile, PROFILE_VARIABLE } from "../config/profile.js";
import { defaultRancherCliConfig, readRancherCliConfig } from "../config/rancher-cli.js";
import { fromFlagOrEnv, parseFound, type Found, type Sources } from "../config/resolve.js";
import { withSettingOptions } from "../config/setting-options.js";
import { SETTING_NAMES, setting, showValue, type SettingName } from "../config/setting-table.js";
import { EnrollError } from "../errors.js";
import type { Logger } from "../log.js";
import {
  CHECK_SECONDS,
  checkPending,
  describeCheck,
  type Checked,
  type ChooseTarget,
  type NotChecked,
} from "./configure-check.js";
import { runReport, type Report } from "./run.js";
import type { CommandSpec } from "./spec.js";

interface ConfigureFlags {
  profile?: string;
  fromEnv?: boolean;
  importRancherCli?: string | true;
  /** `--no-verify` sets it false. */
  verify: boolean;
}

/** What `configure` asks on a terminal, as `aws configure` does. */
const ASKED: readonly SettingName[] = ["url", "accessKey", "secretKey", "environment"];

export const CONFIGURE: CommandSpec = {
  name: "configure",
  description:
    "write settings into a profile: from flags, --from-env or --import-rancher-cli; without any, ask on a terminal",
  hasOptions: true,
  complete: (listing) =>
    withSettingOptions(listing, SETTING_NAMES)
      .option(
        "--profile <name>",
        `the profile to write [env: ${PROFILE_VARIABLE}, default: ${DEFAULT_PROFILE}]`,
      )
      .option(
        "--from-env",
        "take the settings' environment variables too (RANCHER_URL, RANCHER_ACCESS_KEY, ...)",
      )
      .option(
        "--import-rancher-cli [file]",
        "take the settings of a Rancher CLI configuration: 1.x cli.json or 2.x cli2.json (default: whichever of ~/.rancher/cli.json and cli2.json exists)",
      )
      .option(
        "--no-verify",
        `write without contacting the server (offline); by default the URL must answer as Rancher, accept the key and have the environment or cluster (waiting at most ${CHECK_SECONDS} s)`,
      )
      .action((flags: ConfigureFlags, command: Command) =>
        runReport(command, (log) => configure(flags, log)),
      ),
};

async function configure(flags: ConfigureFlags, log: Logger): Promise<Report> {
  const { name } = chooseProfile(flags.profile, process.env);
  const profile = new Profile(name, undefined, new ProfileFiles(profilePaths(process.env)));
  let values = givenValues(flags, profile, (message) => log.warn(message));
  const asking = values.size === 0;
  if (asking) {
    if (!process.stdin.isTTY) throw nothingGiven(flags);
    values = await askValues(profile);
  }
  const checked = flags.verify
    ? await checkPending(profile, byKey(values), log, asking ? chooseTarget : undefined)
    : undefined;
  if (checked && "chosen" in checked) values.set(checked.target.word, chosenValue(checked));
  return report(profile, save(profile, values), checked);
}

/** On a terminal, as the 1.x `rancher config` does: the targets the credentials see, numbered, to choose from. */
const chooseTarget: ChooseTarget = async (unclear, words) => {
  const { choose } = await import("../config/ask.js");
  process.stderr.write(`${unclear.message}\n`);
  const index = await choose(
    `Which ${words.target}`,
    unclear.choices.map(({ name, id }) => `${name} (${id})`),
    terminal(),
  );
  return unclear.choices[index]!;
};

function chosenValue({ target }: Checked): Found {
  return { text: target.id, origin: { source: "answer", prompt: `Which ${target.word}` } };
}

function terminal(): Terminal {
  return {
    input: process.stdin,
    output: process.stderr,
    interrupted: "configure interrupted: nothing was written",
  };
}

function byKey(values: ReadonlyMap<SettingName, Found>): Map<string, Found> {
  return new Map([...values].map(([name, found]) => [setting(name).key, found]));
}

/** Flags win over environment variables (with --from-env), which win over an imported Rancher CLI file. */
function givenValues(flags: ConfigureFlags, profile: Profile, warn: (message: string) => void) {
  const { importRancherCli: cliFile } = flags;
  const imported = cliFile
    ? readRancherCliConfig(cliFile === true ? defaultRancherCliConfig(process.env) : cliFile, warn)
    : undefined;
  const sources: Sources = { flags, env: flags.fromEnv ? process.env : {}, profile, warn };
  const values = new Map<SettingName, Found>();
  for (const name of SETTING_NAMES) {
    const item = setting(name);
    const found = fromFlagOrEnv(item, sources) ?? imported?.get(name);
    if (!found) continue;
    parseFound(item, found);
    values.set(name, found);
  }
  return values;
}

async function askValues(profile: Profile): Promise<Map<SettingName, Found>> {
  const questions = ASKED.map((name): Question => {
    const item = setting(name);
    const current = profile.get(item)?.value;
    return {
      prompt: promptOf(name),
      ...(current ? { current: item.credential ? showValue(item, current) : current } : {}),
      secret: item.credential === "hidden",
      check: (answer) => item.parse(answer, item.key),
    };
  });
  // Loaded here only: its stream and readline would cost every other command's start-up.
  const { ask } = await import("../config/ask.js");
  const answers = await ask(questions, terminal());
  return new Map(
    ASKED.flatMap((name, index) => {
      const text = answers[index];
      return text ? [[name, { text, origin: { source: "answer", prompt: promptOf(name) } }] as const] : [];
    }),
  );
}

function promptOf(name: SettingName): string {
  return setting(name).description.replace(/^the (.)/, (_, first: string) => first.toUpperCase());
}

interface Written {
  path: string;
  keys: string[];
}

function save(profile: Profile, values: ReadonlyMap<SettingName, Found>): Written[] {
  const byFile: Record<FileKind, Map<string, string>> = { config: new Map(), credentials: new Map() };
  for (const [name, { text }] of values) byFile[fileOf(setting(name))].set(setting(name).key, text);
  const written: Written[] = [];
  for (const kind of ["credentials", "config"] as const) {
    if (byFile[kind].size === 0) continue;
    profile.files.update(kind, profile.name, byFile[kind]);
    written.push({ path: profile.files.paths[kind], keys: [...byFile[kind].keys()] });
  }
  return written;
}

function report(profile: Profile, written: Written[], checked: Checked | NotChecked | undefined): Report {
  const what = written.map(({ path, keys }) => `${keys.join(", ")} in ${path}`).join("; ");
  return {
    json: {
      kind: "configured",
      profile: profile.name,
      written,
      checked: checked ?? { notChecked: "--no-verify" },
    },
    text: `${
      written.length > 0 ? `profile "${profile.name}": wrote ${what}` : `profile "${profile.name}": unchanged`
    }\n${describeCheck(checked)}`,
  };
}

function nothingGiven(flags: ConfigureFlags): EnrollError {
  const variables = SETTING_NAMES.flatMap((name) => setting(name).env ?? []).join(", ");
  return new EnrollError(
    "usage",
    flags.fromEnv ? `--from-env found none of ${variables} set` : "no setting given to write",
    "Pass settings as flags (--url URL --environment NAME ...), add --from-env to take " +
      `${variables}, or --import-rancher-cli; on a terminal, \`rancher-enroll configure\` asks for them.`,
  );
}
