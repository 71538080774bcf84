import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Simulator } from "../support/simulator/index.js";
import { call, startFast, waitFor } from "./helpers.js";

describe("simulator: host collections", () => {
  let sim: Simulator;
  let projectId: string;
  before(async () => {
    sim = await startFast();
    projectId = sim.addProject("Big").id;
    sim.seedHosts(projectId, { count: 230, hostname: "bulk" });
    sim.seedHosts(projectId, { hostname: "stale", agentState: "disconnected", agentIpAddress: "10.0.0.9" });
    sim.seedHosts(projectId, { hostname: "fresh", agentState: null, state: "inactive" });
  });
  after(() => sim.close());

  const path = () => `/v2-beta/projects/${projectId}/hosts`;

  it("pages 100 at a time by default with full next links using marker=m<N>", async () => {
    const ids: string[] = [];
    let next: string | null = path();
    let pages = 0;
    while (next) {
      const page = await call(sim, next, { auth: sim.adminKey });
      assert.equal(page.json.type, "collection");
      ids.push(...page.json.data.map((h: { id: string }) => h.id));
      next = page.json.pagination.next;
      assert.equal(page.json.pagination.partial, next !== null);
      if (next)
        assert.match(next, new RegExp(`^${sim.url}/v2-beta/projects/${projectId}/hosts\\?marker=m\\d+$`));
      pages++;
    }
    assert.equal(pages, 3);
    assert.equal(ids.length, 232);
    assert.equal(new Set(ids).size, 232);
  });

  it("honours limit, capped at 3000", async () => {
    const small = await call(sim, `${path()}?limit=7`, { auth: sim.adminKey });
    assert.equal(small.json.data.length, 7);
    assert.equal(small.json.pagination.limit, 7);
    assert.match(small.json.pagination.next, /limit=7&marker=m7$/);
    const huge = await call(sim, `${path()}?limit=5000`, { auth: sim.adminKey });
    assert.equal(huge.json.pagination.limit, 3000);
    assert.equal(huge.json.data.length, 232);
    assert.equal(huge.json.pagination.partial, false);
  });

  it("ignores undeclared filters such as hostname", async () => {
    const res = await call(sim, `${path()}?hostname=stale&limit=1000`, { auth: sim.adminKey });
    assert.equal(res.json.data.length, 232);
    assert.ok(!("hostname" in res.json.filters));
    assert.equal(res.json.filters.agentState, null);
  });

  it("applies declared filters with modifiers; repeated parameters are OR", async () => {
    const ids = async (query: string) =>
      (await call(sim, `${path()}?limit=1000&${query}`, { auth: sim.adminKey })).json.data.length;
    assert.equal(await ids("state=inactive"), 1);
    assert.equal(await ids("state_ne=active"), 1);
    assert.equal(await ids("agentState_null=1"), 1);
    assert.equal(await ids("agentState_notnull=1"), 231);
    assert.equal(await ids("state=inactive&state=active"), 232);
    assert.equal(await ids("removed_null=1"), 232);
  });

  it("serves hosts under /v1, /v2-beta and project paths with links mirroring the request", async () => {
    const key = sim.addEnvironmentKey(projectId);
    const [host] = sim.hosts(projectId);
    assert.ok(host);
    for (const prefix of ["/v1", "/v2-beta", `/v2-beta/projects/${projectId}`, `/v1/projects/${projectId}`]) {
      const res = await call(sim, `${prefix}/hosts/${host.id}`, { auth: key });
      assert.equal(res.status, 200, prefix);
      assert.equal(res.json.links.self, `${sim.url}${prefix}/hosts/${host.id}`);
    }
  });
});

describe("simulator: host actions", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startFast();
  });
  after(() => sim.close());

  const get = async (id: string) =>
    (await call(sim, `/v2-beta/hosts/${id}`, { auth: sim.environmentKey })).json;
  const post = (url: string) => call(sim, url, { auth: sim.environmentKey, method: "POST" });
  const settled = (id: string, state: string) =>
    waitFor(async () => {
      const host = await get(id);
      return host.state === state && host;
    }, `host ${id} ${state}`);

  it("refuses remove on an active host with 422 ActionNotAvailable (action and DELETE)", async () => {
    const [host] = sim.seedHosts("1a5", { agentState: "active" });
    assert.ok(host);
    const resource = await get(host.id);
    assert.deepEqual(Object.keys(resource.actions), ["deactivate"]);
    const viaAction = await post(`${resource.links.self}?action=remove`);
    assert.equal(viaAction.status, 422);
    assert.equal(viaAction.json.code, "ActionNotAvailable");
    assert.equal(viaAction.json.fieldName, "action");
    const viaDelete = await call(sim, resource.links.self, { auth: sim.environmentKey, method: "DELETE" });
    assert.equal(viaDelete.status, 422);
    assert.equal((await get(host.id)).state, "active");
    const unknown = await post(`${resource.links.self}?action=explode`);
    assert.equal(unknown.status, 422);
    assert.equal(unknown.json.code, "InvalidAction");
  });

  it("deactivates, activates, removes and purges through transitional states", async () => {
    const [host] = sim.seedHosts("1a5", { hostname: "lifecycle", agentState: "active" });
    assert.ok(host);
    const resource = await get(host.id);
    const deactivating = await post(resource.actions.deactivate);
    assert.equal(deactivating.status, 202);
    assert.equal(deactivating.json.state, "deactivating");
    assert.equal(deactivating.json.transitioning, "yes");
    const inactive = await settled(host.id, "inactive");
    assert.deepEqual(Object.keys(inactive.actions).sort(), ["activate", "remove"]);

    await post(inactive.actions.activate);
    const active = await settled(host.id, "active");
    await post(active.actions.deactivate);
    await settled(host.id, "inactive");

    const removing = await call(sim, active.links.self, { auth: sim.environmentKey, method: "DELETE" });
    assert.equal(removing.json.state, "removing");
    const removed = await settled(host.id, "removed");
    assert.ok(removed.removed);
    const list = await call(sim, "/v2-beta/hosts", { auth: sim.environmentKey });
    assert.ok(!list.json.data.some((h: { id: string }) => h.id === host.id), "removed hosts leave lists");
    const withRemoved = await call(sim, "/v2-beta/hosts?removed_notnull=1", { auth: sim.environmentKey });
    assert.ok(withRemoved.json.data.some((h: { id: string }) => h.id === host.id));

    await post(removed.actions.purge);
    await settled(host.id, "purged");
    assert.equal(sim.hosts("1a5").find((h) => h.id === host.id)?.state, "purged");
  });

  it("removes a registering host directly", async () => {
    const [host] = sim.seedHosts("1a5", { state: "registering", agentState: null });
    assert.ok(host);
    const res = await post(`/v2-beta/hosts/${host.id}/?action=remove`);
    assert.equal(res.status, 202);
    await settled(host.id, "removed");
  });
});
