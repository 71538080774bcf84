// `configure` on a terminal, as the 1.x `rancher config` does: when the environment or cluster is not given or not
// found, the check offers those the credentials see (the list its error names) and takes the one chosen. In-process,
// against the simulators on loopback, with the choice scripted.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { checkPending, type ChooseTarget } from "../../src/commands/configure-check.js";
import { ProfileFiles, profilePaths } from "../../src/config/profile-files.js";
import { Profile } from "../../src/config/profile.js";
import type { Found } from "../../src/config/resolve.js";
import { EnrollError } from "../../src/errors.js";
import type { Target } from "../../src/flows/seam.js";
import { startSimulator, type Simulator } from "../support/simulator/index.js";
import { startV3Simulator, type V3Simulator } from "../support/simulator/v3/index.js";

const log = pino({ level: "silent" });

function pending(values: Record<string, string>): Map<string, Found> {
  const answer = { source: "answer", prompt: "typed" } as const;
  return new Map(Object.entries(values).map(([key, text]) => [key, { text, origin: answer }]));
}

/** A person who picks the target named `name`, and what they were shown. */
function picking(name: string) {
  const shown: { message: string; word: string; choices: readonly Target[] }[] = [];
  const choose: ChooseTarget = async (unclear, words) => {
    shown.push({ message: unclear.message, word: words.target, choices: unclear.choices });
    const chosen = unclear.choices.find((target) => target.name === name);
    assert.ok(chosen, `${name} is offered`);
    return chosen;
  };
  return { choose, shown };
}

describe("configure offers the targets the credentials see", () => {
  let v1: Simulator;
  let v3: V3Simulator;
  let directory: string;
  let profile: Profile;

  before(async () => {
    [v1, v3] = await Promise.all([
      startSimulator({ host: "127.0.0.1" }),
      startV3Simulator({ host: "127.0.0.1" }),
    ]);
    v1.addProject("Staging");
    directory = mkdtempSync(join(tmpdir(), "rancher-enroll-choose-"));
    const paths = profilePaths({
      RANCHER_ENROLL_CONFIG_FILE: join(directory, "config"),
      RANCHER_ENROLL_CREDENTIALS_FILE: join(directory, "credentials"),
    });
    profile = new Profile("default", undefined, new ProfileFiles(paths));
  });
  after(async () => {
    await Promise.all([v1.close(), v3.close()]);
    rmSync(directory, { recursive: true });
  });

  const account = () => ({
    url: v1.url,
    access_key: v1.adminKey.accessKey,
    secret_key: v1.adminKey.secretKey,
  });
  const admin = () => ({ url: v3.url, token: v3.adminToken.bearer });

  it("1.6, no environment given and the key sees several: the one chosen", async () => {
    const person = picking("Staging");
    const checked = await checkPending(profile, pending(account()), log, person.choose);
    assert.equal(person.shown.length, 1);
    assert.equal(person.shown[0]!.word, "environment");
    assert.deepEqual(
      person.shown[0]!.choices.map(({ name }) => name),
      ["Default", "Staging"],
    );
    assert.match(person.shown[0]!.message, /^no environment given, and the API key can see several: /);
    assert.ok("target" in checked);
    assert.equal(checked.target.name, "Staging");
    assert.match(checked.target.id, /^1a\d+$/);
    assert.equal(checked.chosen, true);
  });

  it("1.6, an environment not found: the list its error names, and the one chosen", async () => {
    const person = picking("Default");
    const given = pending({ ...account(), environment: "Prod" });
    const checked = await checkPending(profile, given, log, person.choose);
    assert.match(
      person.shown[0]!.message,
      /^environment "Prod" not found; the API key can see: Default \(1a5\), /,
    );
    assert.ok("target" in checked);
    assert.deepEqual(checked.target, { word: "environment", id: "1a5", name: "Default" });
    assert.equal(checked.chosen, true);
  });

  it("1.6, the environment given is found: nothing is asked", async () => {
    const person = picking("Default");
    const checked = await checkPending(
      profile,
      pending({ ...account(), environment: "Staging" }),
      log,
      person.choose,
    );
    assert.equal(person.shown.length, 0);
    assert.ok("target" in checked);
    assert.equal(checked.target.name, "Staging");
    assert.equal(checked.chosen, undefined);
  });

  it("2.x, a cluster not found: the clusters the token sees, and the one chosen", async () => {
    const person = picking("dev-rke2");
    const checked = await checkPending(profile, pending({ ...admin(), cluster: "prod" }), log, person.choose);
    assert.equal(person.shown[0]!.word, "cluster");
    assert.match(person.shown[0]!.message, /^cluster "prod" not found; the API token can see: /);
    assert.ok("target" in checked);
    assert.equal(checked.target.name, "dev-rke2");
    assert.equal(checked.target.id, v3.cluster("dev-rke2").id);
    assert.equal(checked.chosen, true);
  });

  it("without a person to ask (no terminal), the error stands: exit 4, listing the targets", async () => {
    const given = pending({ ...account(), environment: "Prod" });
    await assert.rejects(checkPending(profile, given, log), (error: unknown) => {
      assert.ok(error instanceof EnrollError);
      assert.equal(error.exitCode, 4);
      assert.match(error.message, /can see: Default \(1a5\), Staging \(1a\d+\); nothing was written$/);
      return true;
    });
  });
});
