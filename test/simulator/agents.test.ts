import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Simulator } from "../support/simulator/index.js";
import {
  FAST,
  activeToken,
  call,
  enrolledAgent,
  ping,
  registerAgent,
  startFast,
  waitFor,
  type Credentials,
} from "./helpers.js";

const MACHINE = { hostname: "node-03.example.internal", uuid: "docker-uuid-1", physicalHostUuid: "phys-1" };

describe("simulator: register", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startFast();
  });
  after(() => sim.close());

  it("creates a register object in registering; credentials only when active and asked with the same key", async () => {
    const token = (await activeToken(sim)).token;
    const auth = { user: "registrationToken", password: token };
    const created = await call(sim, "/v1/register", { auth, method: "POST", body: { key: "k-1" } });
    assert.equal(created.status, 201);
    assert.equal(created.json.state, "registering");
    assert.ok(!("accessKey" in created.json));
    const active = await waitFor(async () => {
      const found = (await call(sim, "/v1/register?key=k-1", { auth })).json.data[0];
      return found?.state === "active" && found;
    }, "active register");
    assert.match(active.accessKey, /^[0-9A-F]{20}$/);
    assert.ok(active.secretKey);
    const withoutKey = await call(sim, "/v1/register", { auth });
    assert.ok(withoutKey.json.data.length > 0);
    assert.ok(withoutKey.json.data.every((r: object) => !("secretKey" in r)));
  });

  it("the same key yields the same agent credentials, another key different ones", async () => {
    const token = (await activeToken(sim)).token;
    const first = await registerAgent(sim, token, "same-key");
    const again = await registerAgent(sim, token, "same-key");
    const other = await registerAgent(sim, token, "other-key");
    assert.deepEqual(again, first);
    assert.notEqual(other.user, first.user);
  });

  it("registration auth may do nothing but register; an unknown token is 401", async () => {
    const token = (await activeToken(sim)).token;
    const auth = { user: "registrationToken", password: token };
    for (const path of ["/v2-beta/hosts", "/v1/registrationtokens", "/v2-beta/projects"]) {
      assert.equal((await call(sim, path, { auth })).status, 403, path);
    }
    const other = sim.addProject("Elsewhere");
    assert.equal((await call(sim, `/v1/projects/${other.id}/register`, { auth })).status, 403);
    assert.equal((await call(sim, "/v1/projects/1a5/register", { auth })).status, 200);
    const bogus = { user: "registrationToken", password: "AAAAAAAAAAAAAAAAAAAA:1:x" };
    assert.equal((await call(sim, "/v1/register", { auth: bogus })).status, 401);
    const missingKey = await call(sim, "/v1/register", { auth, method: "POST", body: {} });
    assert.equal(missingKey.status, 422);
    assert.equal(missingKey.json.code, "MissingRequired");
  });
});

describe("simulator: agent pings and hosts", () => {
  let sim: Simulator;
  let agent: Credentials;
  before(async () => {
    sim = await startFast();
    agent = await enrolledAgent(sim);
  });
  after(() => sim.close());

  it("no host exists until the agent pings; the ping answers the interval as text", async () => {
    assert.equal(sim.hosts("1a5").length, 0);
    const res = await ping(sim, agent, {
      ...MACHINE,
      agentIp: "",
      labels: "",
      image: "rancher/agent:v1.2.11",
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
    assert.equal(res.text, "1");
    const [host] = sim.hosts("1a5");
    assert.ok(host);
    assert.match(host.id, /^1h\d+$/);
    assert.equal(host.state, "registering");
    assert.equal(host.agentState, null);
    assert.equal(host.hostname, MACHINE.hostname);
    assert.equal(host.agentIpAddress, "127.0.0.1");
    assert.equal(host.reportedUuid, MACHINE.uuid);
    assert.match(host.physicalHostId, /^1ph\d+$/);
  });

  it("walks registering → activating → active with agentState active", async () => {
    const seen = new Set<string>();
    const host = await waitFor(async () => {
      const current = (await call(sim, "/v2-beta/hosts", { auth: sim.environmentKey })).json.data[0];
      seen.add(current.state);
      await ping(sim, agent, MACHINE);
      return current.state === "active" && current;
    }, "active host");
    assert.ok(seen.has("activating"), [...seen].join(","));
    assert.equal(host.agentState, "active");
    assert.equal(host.transitioning, "no");
    assert.equal(host.actions.deactivate, `${host.links.self}/?action=deactivate`);
    assert.ok(!("reportedUuid" in host), "reportedUuid is admin-only");
    const asAdmin = await call(sim, `/v2-beta/projects/1a5/hosts/${host.id}`, { auth: sim.adminKey });
    assert.equal(asAdmin.json.reportedUuid, MACHINE.uuid);
  });

  it("agentState goes reconnecting then disconnected without pings; v2-beta folds it into state, v1 does not", async () => {
    const [host] = sim.hosts("1a5");
    assert.ok(host);
    await waitFor(
      () => host.agentState === "reconnecting",
      "reconnecting",
      FAST.agentReconnectingAfterMs * 4,
    );
    const v2 = await call(sim, `/v2-beta/hosts/${host.id}`, { auth: sim.environmentKey });
    const v1 = await call(sim, `/v1/hosts/${host.id}`, { auth: sim.environmentKey });
    assert.equal(v2.json.state, "reconnecting");
    assert.equal(v1.json.state, "active");
    assert.equal(v1.json.agentState, "reconnecting");
    await waitFor(
      () => host.agentState === "disconnected",
      "disconnected",
      FAST.agentDisconnectedAfterMs * 4,
    );
    assert.equal(host.state, "active");
    await ping(sim, agent, MACHINE);
    assert.equal(host.agentState, "active");
    const back = await call(sim, `/v2-beta/hosts/${host.id}`, { auth: sim.environmentKey });
    assert.equal(back.json.state, "active");
  });

  it("applies CATTLE_HOST_LABELS only at creation; later pings refresh hostname, IP and auto labels", async () => {
    const machine = { hostname: "labelled", uuid: "docker-uuid-labels", physicalHostUuid: "phys-2" };
    await ping(sim, agent, {
      ...machine,
      agentIp: "10.1.2.3",
      image: "rancher/agent:v1.2.10",
      labels: " role = worker+node &zone=eu%2Fwest;role=ignored&bad=%zz",
    });
    const host = sim.hosts("1a5").find((h) => h.reportedUuid === machine.uuid);
    assert.ok(host);
    assert.equal(host.agentIpAddress, "10.1.2.3");
    assert.deepEqual(host.labels, {
      "io.rancher.host.agent_image": "rancher/agent:v1.2.10",
      "io.rancher.host.docker_version": "17.03",
      "io.rancher.host.linux_kernel_version": "4.4",
      "io.rancher.host.os": "linux",
      role: "worker node",
      zone: "eu/west",
    });
    await ping(sim, agent, {
      ...machine,
      hostname: "renamed",
      agentIp: "10.9.9.9",
      image: "rancher/agent:v1.2.11",
      labels: "role=changed&extra=1",
    });
    assert.equal(host.hostname, "renamed");
    assert.equal(host.agentIpAddress, "10.9.9.9");
    assert.equal(host.labels.role, "worker node");
    assert.ok(!("extra" in host.labels));
    assert.equal(host.labels["io.rancher.host.agent_image"], "rancher/agent:v1.2.11");
    assert.equal(sim.hosts("1a5").filter((h) => h.reportedUuid === machine.uuid).length, 1);
  });

  it("the agent IP defaults to the X-Forwarded-For client of the ping", async () => {
    const res = await call(sim, "/_sim/agent/ping", {
      auth: agent,
      method: "POST",
      body: "hostname=proxied\nuuid=docker-uuid-xff\nagentIp=",
      headers: { "Content-Type": "text/plain", "X-Forwarded-For": "192.0.2.7" },
    });
    assert.equal(res.status, 200);
    assert.equal(sim.hosts("1a5").find((h) => h.hostname === "proxied")?.agentIpAddress, "192.0.2.7");
  });

  it("rejects unknown agent credentials with 401 and a ping without uuid with 422", async () => {
    const unknown = await ping(sim, { user: "NOPE", password: "nope" }, MACHINE);
    assert.equal(unknown.status, 401);
    const apiKey = await ping(
      sim,
      { user: sim.environmentKey.accessKey, password: sim.environmentKey.secretKey },
      MACHINE,
    );
    assert.equal(apiKey.status, 401);
    const incomplete = await ping(sim, agent, { hostname: "x" });
    assert.equal(incomplete.status, 422);
    assert.equal(incomplete.json.fieldName, "uuid");
  });
});

describe("simulator: host removal and agents", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startFast();
  });
  after(() => sim.close());

  async function activeHost(agent: Credentials, uuid: string) {
    await ping(sim, agent, { hostname: "h", uuid });
    return waitFor(
      () => sim.hosts("1a5").find((h) => h.reportedUuid === uuid && h.state === "active"),
      "active",
    );
  }

  async function removeViaApi(hostId: string) {
    const self = `/v2-beta/hosts/${hostId}`;
    await call(sim, `${self}?action=deactivate`, { auth: sim.environmentKey, method: "POST" });
    await waitFor(
      async () => (await call(sim, self, { auth: sim.environmentKey })).json.state === "inactive",
      "inactive",
    );
    await call(sim, self, { auth: sim.environmentKey, method: "DELETE" });
    await waitFor(
      async () => (await call(sim, self, { auth: sim.environmentKey })).json.state === "removed",
      "removed",
    );
  }

  it("a ping for a uuid whose host was removed creates a new host", async () => {
    const agent = await enrolledAgent(sim, "key-recreate");
    const first = await activeHost(agent, "uuid-recreate");
    await removeViaApi(first.id);
    await ping(sim, agent, { hostname: "h", uuid: "uuid-recreate" });
    const hosts = sim.hosts("1a5").filter((h) => h.reportedUuid === "uuid-recreate");
    assert.equal(hosts.length, 2);
    assert.notEqual(hosts[1]?.id, first.id);
    assert.equal(hosts[1]?.state, "registering");
  });

  it("a disconnected agent whose hosts are all removed is removed: its pings get 401", async () => {
    const agent = await enrolledAgent(sim, "key-gone");
    const host = await activeHost(agent, "uuid-gone");
    await waitFor(
      () => host.agentState === "disconnected",
      "disconnected",
      FAST.agentDisconnectedAfterMs * 4,
    );
    await removeViaApi(host.id);
    const token = (await activeToken(sim)).token;
    const auth = { user: "registrationToken", password: token };
    const registers = await call(sim, "/v1/register?key=key-gone", { auth });
    assert.deepEqual(registers.json.data, [], "register objects go with the agent");
    assert.equal((await ping(sim, agent, { hostname: "h", uuid: "uuid-gone" })).status, 401);
    const fresh = await registerAgent(sim, token, "key-gone");
    assert.notEqual(fresh.user, agent.user);
  });
});
