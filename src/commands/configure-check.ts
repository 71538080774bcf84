import type { Profile } from "../config/profile.js";
import { onlyMissing, SettingsError, type Found } from "../config/resolve.js";
import { resolvePendingProfile } from "../config/settings.js";
import { Deadline } from "../deadline.js";
import { asEnrollError, EnrollError } from "../errors.js";
import { TargetNotChosen, type ServerDriver, type Target, type Wanted, type Words } from "../flows/seam.js";
import type { Logger } from "../log.js";
import { serverConnector } from "./clients.js";

/** How long `configure` waits for a server that does not answer (yet): a person waits, not a boot. */
export const CHECK_SECONDS = 15;

/** What `configure` found before it wrote: the server's line and version, and the target the key sees. */
export interface Checked {
  url: string;
  server: string;
  version?: string;
  target: { word: Words["target"]; id: string; name: string };
  /** The target was chosen from a list (none was given, or the one given was not found): the profile takes it. */
  chosen?: true;
}

/** Asks a person which of the targets the credentials see is meant. */
export type ChooseTarget = (unclear: TargetNotChosen, words: Words) => Promise<Target>;

/** Or why it could not check: settings the profile still lacks (the URL, the credentials). */
export interface NotChecked {
  notChecked: string;
}

/**
 * Checks the profile as it will be once `pending` is written: the URL answers as Rancher (either line), the key
 * is accepted, the environment or cluster exists (else the server's error lists those the key sees, and
 * `choose`, when given, asks which one is meant).
 */
export async function checkPending(
  profile: Profile,
  pending: ReadonlyMap<string, Found>,
  log: Logger,
  choose?: ChooseTarget,
): Promise<Checked | NotChecked> {
  let resolved: ReturnType<typeof resolvePendingProfile>;
  try {
    resolved = resolvePendingProfile(profile, pending);
  } catch (error) {
    if (!onlyMissing(error)) throw refused(error);
    const problems = error instanceof SettingsError ? error.problems : [asEnrollError(error)];
    return { notChecked: problems.map((problem) => problem.message).join(", ") };
  }
  // Its --timeout is a setting it writes, not a bound of its own.
  const deadline = new Deadline(CHECK_SECONDS, `configure checks for at most ${CHECK_SECONDS} s`);
  try {
    const { url, driver } = await serverConnector(() => resolved.server, log, deadline)();
    const { target, chosen } = await findOrChoose(driver, resolved.wanted, deadline, choose);
    const version = driver.serverVersion;
    return {
      url,
      server: driver.words.server,
      ...(version ? { version } : {}),
      target: { word: driver.words.target, ...target },
      ...(chosen ? { chosen } : {}),
    };
  } catch (error) {
    throw refused(error);
  }
}

async function findOrChoose(
  driver: ServerDriver,
  wanted: Wanted | undefined,
  deadline: Deadline,
  choose: ChooseTarget | undefined,
): Promise<{ target: Target; chosen?: true }> {
  try {
    return { target: await driver.findTarget(wanted) };
  } catch (error) {
    if (!(error instanceof TargetNotChosen && error.choices.length > 0 && choose)) throw error;
    const { id } = await choose(error, driver.words);
    deadline.restart();
    // By its id, as `up` will find it: the server still has it, and (2.x) it takes machines.
    const target = await driver.findTarget({ nameOrId: id, word: driver.words.target, from: "the answer" });
    return { target, chosen: true };
  }
}

/** The check failed: nothing was written, and --no-verify writes anyway (offline). */
function refused(error: unknown): EnrollError {
  const failure = asEnrollError(error);
  return new EnrollError(
    failure.kind,
    `${failure.message}; nothing was written`,
    `${failure.hint ? `${failure.hint} ` : ""}To write the profile without checking it (offline), add --no-verify.`,
    { cause: failure },
  );
}

export function describeCheck(check: Checked | NotChecked | undefined): string {
  if (!check) return "not checked against a server (--no-verify)";
  if ("notChecked" in check) return `not checked against a server: ${check.notChecked}`;
  const { url, server, version, target } = check;
  return (
    `checked: ${url} answers as ${server}${version ? ` (${version})` : ""}, accepts the credentials, ` +
    `and has ${target.word} ${target.name} (${target.id})`
  );
}
