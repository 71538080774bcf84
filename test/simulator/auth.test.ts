import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Simulator } from "../support/simulator/index.js";
import { call, startFast } from "./helpers.js";

describe("simulator: authentication and scoping", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startFast();
  });
  after(() => sim.close());

  describe("HTTP Basic auth", () => {
    it("answers 401 with a Rancher error body and a Basic challenge without credentials", async () => {
      const res = await call(sim, "/v2-beta/projects");
      assert.equal(res.status, 401);
      assert.match(res.headers.get("www-authenticate") ?? "", /^Basic realm=".+"$/);
      const { id, ...rest } = res.json;
      assert.match(id, /^[0-9a-f-]{36}$/);
      assert.deepEqual(rest, {
        type: "error",
        links: {},
        actions: {},
        status: 401,
        code: "Unauthorized",
        message: "Unauthorized",
        detail: null,
      });
    });

    it("rejects a wrong secret and omits the challenge when X-API-No-Challenge is true", async () => {
      const wrong = { user: sim.environmentKey.accessKey, password: "not-the-secret" };
      const res = await call(sim, "/v2-beta/projects", {
        auth: wrong,
        headers: { "X-API-No-Challenge": "true" },
      });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get("www-authenticate"), null);
    });

    it("sends the X-Rancher-Version, X-API-Account-Id, X-API-Client-IP and X-API-Schemas headers", async () => {
      const res = await call(sim, "/v2-beta/hosts", { auth: sim.environmentKey });
      assert.equal(res.headers.get("x-rancher-version"), "v1.6.30");
      assert.equal(res.headers.get("x-api-account-id"), "1a5");
      assert.equal(res.headers.get("x-api-client-ip"), "127.0.0.1");
      assert.equal(res.headers.get("x-api-schemas"), `${sim.url}/v2-beta/projects/1a5/schemas`);
    });

    it("serves the API root with links under /v2-beta", async () => {
      const res = await call(sim, "/v2-beta", { auth: sim.environmentKey });
      assert.equal(res.status, 200);
      assert.equal(res.json.type, "apiVersion");
      assert.equal(res.json.links.projects, `${sim.url}/v2-beta/projects`);
    });
  });

  describe("environment API key", () => {
    it("lists only its own project", async () => {
      sim.addProject("Other");
      const res = await call(sim, "/v2-beta/projects?all=true", { auth: sim.environmentKey });
      assert.deepEqual(
        res.json.data.map((p: { id: string }) => p.id),
        ["1a5"],
      );
      assert.equal(res.json.data[0].uuid, "adminProject");
    });

    it("is implicitly scoped on unscoped collections, /v1 and /v2-beta alike", async () => {
      const other = sim.addProject("Scoped");
      sim.seedHosts(other.id, { hostname: "elsewhere" });
      sim.seedHosts("1a5", { hostname: "at-home" });
      for (const path of ["/v2-beta/hosts", "/v1/hosts"]) {
        const res = await call(sim, path, { auth: sim.environmentKey });
        const names = res.json.data.map((h: { hostname: string }) => h.hostname);
        assert.ok(names.includes("at-home"), path);
        assert.ok(!names.includes("elsewhere"), path);
      }
      const tokens = await call(sim, "/v1/registrationtokens", { auth: sim.environmentKey });
      assert.equal(tokens.status, 200);
    });

    it("gets 403 for another project's path, header or query", async () => {
      const other = sim.addProject("Forbidden");
      const paths = [
        `/v2-beta/projects/${other.id}/hosts`,
        `/v2-beta/projects/${other.id}`,
        `/v2-beta/hosts?projectId=${other.id}`,
      ];
      for (const path of paths) {
        const res = await call(sim, path, { auth: sim.environmentKey });
        assert.equal(res.status, 403, path);
        assert.equal(res.json.code, "Forbidden");
      }
      const viaHeader = await call(sim, "/v2-beta/hosts", {
        auth: sim.environmentKey,
        headers: { "X-API-Project-Id": other.id },
      });
      assert.equal(viaHeader.status, 403);
    });
  });

  describe("account API key", () => {
    it("lists the projects it is a member of; all=true only for admins", async () => {
      const team = sim.addProject("Team");
      sim.addProject("NotMine");
      const member = sim.addAccountKey({ memberOf: [team.id] });
      const own = await call(sim, "/v2-beta/projects?all=true", { auth: member });
      assert.deepEqual(
        own.json.data.map((p: { name: string }) => p.name),
        ["Team"],
      );
      const admin = sim.addAccountKey({ admin: true, memberOf: [] });
      const everything = await call(sim, "/v2-beta/projects?all=true", { auth: admin });
      assert.ok(everything.json.data.some((p: { name: string }) => p.name === "NotMine"));
      const adminDefault = await call(sim, "/v2-beta/projects", { auth: admin });
      assert.equal(adminDefault.json.data.length, 0);
    });

    it("selects the project by path, X-API-Project-Id header or projectId query", async () => {
      const team = sim.addProject("Selectable");
      sim.seedHosts(team.id, { hostname: "team-host" });
      const member = sim.addAccountKey({ memberOf: [team.id] });
      const requests = [
        call(sim, `/v2-beta/projects/${team.id}/hosts`, { auth: member }),
        call(sim, "/v2-beta/hosts", { auth: member, headers: { "X-API-Project-Id": team.id } }),
        call(sim, `/v2-beta/hosts?projectId=${team.id}`, { auth: member }),
      ];
      for (const res of await Promise.all(requests)) {
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("x-api-account-id"), team.id);
        assert.deepEqual(
          res.json.data.map((h: { hostname: string }) => h.hostname),
          ["team-host"],
        );
      }
    });

    it("gets 403 for a project it is not a member of and 400 InvalidFormat for a malformed id", async () => {
      const member = sim.addAccountKey({ memberOf: [] });
      const forbidden = await call(sim, "/v2-beta/projects/1a5/registrationtokens", { auth: member });
      assert.equal(forbidden.status, 403);
      const malformed = await call(sim, "/v2-beta/projects/default/hosts", { auth: member });
      assert.equal(malformed.status, 400);
      assert.equal(malformed.json.code, "InvalidFormat");
    });

    it("without a project: GET registrationtokens is empty, POST is 405", async () => {
      const res = await call(sim, "/v2-beta/registrationtokens", { auth: sim.adminKey });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json.data, []);
      const post = await call(sim, "/v2-beta/registrationtokens", {
        auth: sim.adminKey,
        method: "POST",
        body: {},
      });
      assert.equal(post.status, 405);
      assert.equal(post.json.type, "error");
    });

    it("the default admin key is a member of projects added later", async () => {
      const later = sim.addProject("Later");
      const res = await call(sim, `/v2-beta/projects?name=${later.name}`, { auth: sim.adminKey });
      assert.deepEqual(
        res.json.data.map((p: { id: string }) => p.id),
        [later.id],
      );
    });
  });

  describe("project filters", () => {
    it("matches name case-insensitively and filters by uuid and id", async () => {
      const byName = await call(sim, "/v2-beta/projects?name=DEFAULT", { auth: sim.adminKey });
      assert.deepEqual(
        byName.json.data.map((p: { id: string }) => p.id),
        ["1a5"],
      );
      assert.deepEqual(byName.json.filters.name, [{ modifier: "eq", value: "DEFAULT" }]);
      const byUuid = await call(sim, "/v2-beta/projects?uuid=adminProject&all=true", { auth: sim.adminKey });
      assert.equal(byUuid.json.data.length, 1);
      const none = await call(sim, "/v2-beta/projects?id=1a999", { auth: sim.adminKey });
      assert.equal(none.json.data.length, 0);
    });
  });

  describe("error bodies", () => {
    it("answers 404 and 405 with Rancher error resources", async () => {
      const missing = await call(sim, "/v2-beta/hosts/1h9999", { auth: sim.environmentKey });
      assert.equal(missing.status, 404);
      assert.equal(missing.json.code, "Not Found");
      const method = await call(sim, "/v2-beta/projects", {
        auth: sim.environmentKey,
        method: "PUT",
        body: {},
      });
      assert.equal(method.status, 405);
      assert.equal(method.json.code, "Method not allowed");
    });
  });
});
