// Obtaining the registration token against the simulator: reuse, creation never repeated blindly, and a fleet
// creating at once converging on one token.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, it } from "node:test";
import { pino } from "pino";
import { Deadline } from "../../src/deadline.js";
import { EnrollError } from "../../src/errors.js";
import { CattleDriver } from "../../src/rancher/cattle/driver.js";
import { obtainToken, type TokenApi } from "../../src/rancher/cattle/tokens.js";
import { ApiClient } from "../../src/rancher/http.js";
import { startSimulator, type Simulator } from "../support/simulator/index.js";

const log = pino({ level: "silent" });
const target = { id: "1a5", name: "Default" };

describe("obtaining the registration token", () => {
  let simulator: Simulator;
  const api = () =>
    new CattleDriver(new ApiClient(simulator.url, simulator.environmentKey, log, new Deadline(30)), log);
  const liveTokens = () => simulator.tokens("1a5").filter((t) => !["removed", "purged"].includes(t.state));
  const posts = () =>
    simulator.requests.filter((r) => r.method === "POST" && r.path.endsWith("/registrationtokens"));

  beforeEach(async () => {
    simulator = await startSimulator({ timings: { tokenActivationMs: 300, actionMs: 100 } });
  });
  afterEach(() => simulator.close());

  it("creates one in a fresh environment and reuses it afterwards", async () => {
    const first = await obtainToken(api(), log, target, new Deadline(20));
    assert.equal(first.created, true);
    const again = await obtainToken(api(), log, target, new Deadline(20));
    assert.deepEqual([again.created, again.join.id], [false, first.join.id]);
    assert.equal(posts().length, 1);
  });

  it("reads the tokens again after a failed creation instead of creating blindly", async () => {
    const real = api();
    let failures = 0;
    // The request reaches the server, but its answer is lost: the token exists, we only saw an error.
    const lossy: TokenApi = Object.assign(Object.create(real) as TokenApi, {
      createToken: async (t: typeof target) => {
        await real.createToken(t);
        failures += 1;
        throw new EnrollError("server", "connection reset while reading the answer");
      },
    });
    const { join, created } = await obtainToken(lossy, log, target, new Deadline(20));
    assert.equal(failures, 1);
    assert.equal(created, false, "the token found on re-reading is used");
    assert.deepEqual(
      liveTokens().map((t) => t.id),
      [join.id],
    );
  });

  it("a token waited for that another machine removes: the tokens are read again, no wait until the timeout", async () => {
    simulator.faults.keepTokensRegistering(true);
    const other = api();
    const pending = await other.createToken(target);
    const started = Date.now();
    const waiting = obtainToken(api(), log, target, new Deadline(30), 0);
    const readsOfPending = () => simulator.requests.filter((r) => r.path.endsWith(`/${pending}`)).length;
    while (readsOfPending() === 0) await sleep(20);
    await other.removeToken(target, pending, new Deadline(10));
    simulator.faults.keepTokensRegistering(false);
    const { join } = await waiting;
    assert.notEqual(join.id, pending);
    assert.deepEqual(
      liveTokens().map((t) => t.id),
      [join.id],
    );
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
  });

  it("the agent image for prepare is read, never made: no token created or removed, even while one is pending", async () => {
    const driver = api();
    const changes = () => simulator.requests.filter((r) => r.method !== "GET" && !r.path.startsWith("/_sim"));
    simulator.faults.keepTokensRegistering(true);
    await driver.agentImage(target);
    assert.deepEqual(changes(), [], "nothing changed in a fresh environment");
    const pending = await driver.createToken(target);
    const before = changes().length;
    assert.equal(await driver.agentImage(target), undefined);
    simulator.faults.keepTokensRegistering(false);
    await obtainToken(driver, log, target, new Deadline(20));
    assert.match((await driver.agentImage(target)) ?? "", /agent/);
    assert.equal(changes().length, before, "only the creation of the test itself");
    assert.deepEqual(
      liveTokens().map((t) => t.id),
      [pending],
    );
  });

  async function fleet(machines: number, spreadRoundTrips?: number) {
    return Promise.all(
      Array.from({ length: machines }, () =>
        obtainToken(api(), log, target, new Deadline(30), spreadRoundTrips),
      ),
    );
  }

  it("a fleet booting together spreads its creation: fewer creations than machines, one token", async () => {
    const machines = await fleet(12);
    assert.equal(new Set(machines.map((machine) => machine.join.id)).size, 1);
    assert.equal(liveTokens().length, 1);
    assert.ok(
      posts().length < machines.length,
      `${posts().length} creations for ${machines.length} machines`,
    );
  });

  it("machines creating at the same instant converge on the oldest token and remove their own", async () => {
    const machines = await fleet(8, 0);
    assert.ok(posts().length > 1, "several machines did create a token");
    const used = new Set(machines.map((machine) => machine.join.id));
    assert.equal(used.size, 1);
    assert.deepEqual(
      liveTokens().map((t) => t.id),
      [...used],
    );
  });
});
