// Finding the 1.6 environment with every kind of key and every absent or present --environment: the messages name
// what the key sees and what to pass, never "undefined".
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { pino } from "pino";
import { Deadline } from "../../src/deadline.js";
import { EnrollError } from "../../src/errors.js";
import { CattleDriver } from "../../src/rancher/cattle/driver.js";
import { ApiClient } from "../../src/rancher/http.js";
import { startSimulator, type Simulator } from "../support/simulator/index.js";

const log = pino({ level: "silent" });

describe("the 1.6 environment", () => {
  let simulator: Simulator;
  const driver = (key: { accessKey: string; secretKey: string }) =>
    new CattleDriver(new ApiClient(simulator.url, key, log, new Deadline(10)), log);

  beforeEach(async () => {
    simulator = await startSimulator();
  });
  afterEach(() => simulator.close());

  it("an environment key without --environment: its own environment", async () => {
    assert.deepEqual(await driver(simulator.environmentKey).findTarget(undefined), {
      id: "1a5",
      name: "Default",
    });
  });

  it('an account key that sees several, without --environment: says so and lists them (never "undefined")', async () => {
    const staging = simulator.addProject("Staging");
    await assert.rejects(driver(simulator.adminKey).findTarget(undefined), (error: EnrollError) => {
      assert.equal(error.exitCode, 2);
      assert.equal(
        error.message,
        `no environment given, and the API key can see several: Default (1a5), Staging (${staging.id})`,
      );
      assert.match(error.hint ?? "", /--environment NAME\|ID/);
      assert.doesNotMatch(`${error.message} ${error.hint}`, /undefined/);
      return true;
    });
    assert.deepEqual(
      await driver(simulator.adminKey).findTarget({ nameOrId: "staging", word: "environment" }),
      {
        id: staging.id,
        name: "Staging",
      },
    );
  });

  it("a name from a profile that is not found: the hint names the profile's file and line", async () => {
    const from = 'profile "staging", /etc/rancher-enroll/config line 7';
    await assert.rejects(
      driver(simulator.environmentKey).findTarget({ nameOrId: "Nope", word: "environment", from }),
      (error: EnrollError) =>
        error.exitCode === 4 && error.hint?.startsWith(`Check ${from} (a name or an id`) === true,
    );
  });

  it("an account key and an unknown environment: not found, with those the key sees", async () => {
    await assert.rejects(
      driver(simulator.adminKey).findTarget({ nameOrId: "Prod", word: "environment" }),
      (error: EnrollError) =>
        error.exitCode === 4 &&
        error.message === 'environment "Prod" not found; the API key can see: Default (1a5)',
    );
  });
});
