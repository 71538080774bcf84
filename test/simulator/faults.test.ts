import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import type { Simulator } from "../support/simulator/index.js";
import { FAST, call, enrolledAgent, ping, sleep, startFast, waitFor } from "./helpers.js";

describe("simulator: faults", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startFast();
  });
  beforeEach(() => sim.faults.reset());
  after(() => sim.close());

  const hosts = () => call(sim, "/v2-beta/hosts", { auth: sim.environmentKey });

  it("failNext answers the next n API requests with the status and an error body", async () => {
    sim.faults.failNext(2);
    const first = await hosts();
    assert.equal(first.status, 503);
    assert.equal(first.json.type, "error");
    assert.equal(first.json.code, "Service Unavailable");
    assert.equal((await call(sim, "/v1/scripts/whatever")).status, 503, "unauthenticated paths fail too");
    assert.equal((await hosts()).status, 200);
    sim.faults.failNext(1, 500);
    assert.equal((await hosts()).status, 500);
  });

  it("rateLimitNext answers 429 with Retry-After", async () => {
    sim.faults.rateLimitNext(1, 7);
    const limited = await hosts();
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("retry-after"), "7");
    assert.equal((await hosts()).status, 200);
  });

  it("delayResponses delays every API response", async () => {
    sim.faults.delayResponses(150);
    const started = Date.now();
    assert.equal((await hosts()).status, 200);
    assert.ok(Date.now() - started >= 140, `took ${Date.now() - started} ms`);
  });

  it("keepHostsFromActive parks new hosts in activating until released", async () => {
    const agent = await enrolledAgent(sim, "held-machine");
    sim.faults.keepHostsFromActive(true);
    await ping(sim, agent, { hostname: "held", uuid: "held-uuid" });
    const host = sim.hosts("1a5").find((h) => h.reportedUuid === "held-uuid");
    assert.ok(host);
    await waitFor(() => host.state === "activating", "activating");
    await sleep(FAST.hostActivatingMs * 3);
    assert.equal(host.state, "activating");
    sim.faults.keepHostsFromActive(false);
    assert.equal(host.state, "active");
    assert.equal(host.agentState, "active");
  });

  it("exempts the agent ping and the /_sim control endpoints", async () => {
    const agent = await enrolledAgent(sim, "exempt-machine");
    sim.faults.failNext(1);
    assert.equal((await ping(sim, agent, { hostname: "x", uuid: "exempt-uuid" })).status, 200);
    assert.equal((await call(sim, "/_sim/state")).status, 200);
    assert.equal((await hosts()).status, 503, "the queued failure is still pending");
  });

  it("reset clears queued failures, delays and holds", async () => {
    sim.faults.keepTokensRegistering(true);
    const created = await call(sim, "/v2-beta/registrationtokens", {
      auth: sim.environmentKey,
      method: "POST",
      body: {},
    });
    sim.faults.failNext(5);
    sim.faults.delayResponses(1000);
    sim.faults.reset();
    const started = Date.now();
    assert.equal((await hosts()).status, 200);
    assert.ok(Date.now() - started < 500);
    await waitFor(
      () => sim.tokens("1a5").find((t) => t.id === created.json.id)?.state === "active",
      "released token",
    );
  });

  it("POST /_sim/faults switches the same faults over HTTP", async () => {
    const res = await call(sim, "/_sim/faults", {
      method: "POST",
      body: { failNext: { count: 1, status: 502 }, rateLimitNext: { count: 1, retryAfterSeconds: 3 } },
    });
    assert.equal(res.status, 200);
    assert.equal(res.json.pendingFailures, 2);
    assert.equal((await hosts()).status, 502);
    assert.equal((await hosts()).status, 429);
    await call(sim, "/_sim/faults", { method: "POST", body: { keepTokensRegistering: true } });
    const state = await call(sim, "/_sim/state");
    assert.equal(state.json.faults.keepTokensRegistering, true);
    const bad = await call(sim, "/_sim/faults", { method: "POST", body: { failNext: { count: "x" } } });
    assert.equal(bad.status, 400);
  });
});

describe("simulator: request log and control endpoints", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startFast();
  });
  after(() => sim.close());

  it("records every API request with method, path, query, status, access key, project header and JSON body", async () => {
    sim.clearRequests();
    await call(sim, "/v2-beta/registrationtokens?state=active", {
      auth: sim.adminKey,
      headers: { "X-API-Project-Id": "1a5" },
    });
    await call(sim, "/v2-beta/projects/1a5/registrationtokens", {
      auth: sim.environmentKey,
      method: "POST",
      body: { name: "logged" },
    });
    await call(sim, "/v2-beta/hosts");
    const [list, create, denied] = sim.requests;
    assert.equal(sim.requests.length, 3);
    assert.deepEqual(
      { ...list, time: 0 },
      {
        time: 0,
        method: "GET",
        path: "/v2-beta/registrationtokens",
        query: { state: "active" },
        status: 200,
        accessKey: sim.adminKey.accessKey,
        projectHeader: "1a5",
      },
    );
    assert.ok(Math.abs((list?.time ?? 0) - Date.now()) < 5000);
    assert.equal(create?.status, 201);
    assert.deepEqual(create?.body, { name: "logged" });
    assert.equal(denied?.status, 401);
    assert.equal(denied?.accessKey, undefined);
  });

  it("logs agent pings but never a secret", async () => {
    const agent = await enrolledAgent(sim, "log-machine");
    await ping(sim, agent, { hostname: "logged", uuid: "log-uuid" });
    const pings = sim.requests.filter((r) => r.path === "/_sim/agent/ping");
    assert.equal(pings.length, 1);
    assert.equal(pings[0]?.accessKey, agent.user);
    const log = JSON.stringify(sim.requests);
    for (const secret of [agent.password, sim.environmentKey.secretKey, sim.adminKey.secretKey]) {
      assert.ok(!log.includes(secret), "secret leaked into the request log");
    }
  });

  it("serves the log over HTTP without logging control calls; DELETE clears it", async () => {
    sim.clearRequests();
    await call(sim, "/v2-beta/hosts", { auth: sim.environmentKey });
    const viaHttp = await call(sim, "/_sim/requests");
    assert.equal(viaHttp.json.length, 1);
    assert.equal(viaHttp.json[0].path, "/v2-beta/hosts");
    assert.equal((await call(sim, "/_sim/requests", { method: "DELETE" })).status, 204);
    assert.equal(sim.requests.length, 0);
  });

  it("seeds hosts and reports state over HTTP", async () => {
    const seeded = await call(sim, "/_sim/seed-hosts", {
      method: "POST",
      body: { projectId: "1a5", count: 2, hostname: "via-http", agentState: null },
    });
    assert.equal(seeded.status, 201);
    assert.equal(seeded.json.length, 2);
    assert.equal(seeded.json[0].agentState, null);
    const state = await call(sim, "/_sim/state");
    assert.equal(state.json.hosts.filter((h: { hostname: string }) => h.hostname === "via-http").length, 2);
    assert.ok(state.json.agents.every((a: object) => !("secretKey" in a)));
    const unknown = await call(sim, "/_sim/seed-hosts", { method: "POST", body: { projectId: "1a999" } });
    assert.equal(unknown.status, 422);
  });
});
