import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startSimulator, type Simulator } from "../support/simulator/index.js";
import { FAST, activeToken, call, sleep, startFast, waitFor } from "./helpers.js";

const TOKEN_FIELDS = ["token", "registrationUrl", "image", "command"];

describe("simulator: registration tokens", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startFast({}, "http://rancher.test:8080/");
  });
  after(() => sim.close());

  it("a fresh project has no token", async () => {
    const project = sim.addProject("Fresh");
    const res = await call(sim, `/v2-beta/projects/${project.id}/registrationtokens`, { auth: sim.adminKey });
    assert.equal(res.status, 200);
    assert.equal(res.json.resourceType, "registrationToken");
    assert.deepEqual(res.json.data, []);
  });

  it("POST answers 201 registering without token fields, then the token turns active with them", async () => {
    const created = await call(sim, "/v2-beta/projects/1a5/registrationtokens", {
      auth: sim.environmentKey,
      method: "POST",
      body: { name: "enroll" },
    });
    assert.equal(created.status, 201);
    assert.equal(created.json.state, "registering");
    assert.equal(created.json.transitioning, "yes");
    assert.equal(created.json.name, "enroll");
    assert.equal(
      created.json.links.self,
      `${sim.url}/v2-beta/projects/1a5/registrationtokens/${created.json.id}`,
    );
    for (const field of TOKEN_FIELDS) assert.ok(!(field in created.json), `${field} while registering`);

    const activeList = await call(sim, "/v2-beta/registrationtokens?state=active", {
      auth: sim.environmentKey,
    });
    assert.ok(!activeList.json.data.some((t: { id: string }) => t.id === created.json.id));

    const active = await waitFor(async () => {
      const token = (await call(sim, created.json.links.self, { auth: sim.environmentKey })).json;
      return token.state === "active" && token;
    }, "active token");
    assert.equal(active.transitioning, "no");
    assert.match(active.token, /^[0-9A-F]{20}:\d{13}:[A-Za-z0-9]+$/);
    const millis = Number(active.token.split(":")[1]);
    assert.equal(new Date(millis).toISOString(), `${new Date().getUTCFullYear() - 1}-12-31T00:00:00.000Z`);
    assert.equal(active.registrationUrl, `http://rancher.test:8080/v1/scripts/${active.token}`);
    assert.equal(active.image, "rancher/agent:v1.2.11");
    assert.equal(
      active.command,
      "sudo docker run --rm --privileged -v /var/run/docker.sock:/var/run/docker.sock " +
        `-v /var/lib/rancher:/var/lib/rancher rancher/agent:v1.2.11 ${active.registrationUrl}`,
    );
    assert.equal(active.actions.deactivate, `${active.links.self}/?action=deactivate`);
  });

  it("lists active tokens with state=active", async () => {
    const token = await activeToken(sim);
    const res = await call(sim, "/v1/registrationtokens?state=active", { auth: sim.environmentKey });
    assert.ok(res.json.data.some((t: { token: string }) => t.token === token.token));
    assert.ok(res.json.data.every((t: { state: string }) => t.state === "active"));
  });

  it("keepTokensRegistering holds new tokens in registering until switched off", async () => {
    sim.faults.keepTokensRegistering(true);
    const created = await call(sim, "/v2-beta/registrationtokens", {
      auth: sim.environmentKey,
      method: "POST",
      body: {},
    });
    await sleep(FAST.tokenActivationMs * 4);
    const held = await call(sim, created.json.links.self, { auth: sim.environmentKey });
    assert.equal(held.json.state, "registering");
    assert.ok(!("token" in held.json));
    sim.faults.keepTokensRegistering(false);
    const released = await call(sim, created.json.links.self, { auth: sim.environmentKey });
    assert.equal(released.json.state, "active");
    assert.ok(released.json.token);
  });

  it("exposes raw tokens in-process", async () => {
    const token = await activeToken(sim);
    assert.ok(sim.tokens("1a5").some((t) => t.token === token.token));
  });

  describe("scripts endpoint", () => {
    it("serves the registration script without auth as text/plain", async () => {
      const token = await activeToken(sim);
      for (const method of ["GET", "POST"]) {
        const res = await call(sim, `/v1/scripts/${token.token}`, {
          method,
          headers: { "X-Forwarded-For": "10.20.0.31, 2.2.2.2" },
        });
        assert.equal(res.status, 200, method);
        assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
        assert.equal(
          res.text,
          [
            "#!/bin/sh",
            "",
            'export CATTLE_REGISTRATION_ACCESS_KEY="registrationToken"',
            `export CATTLE_REGISTRATION_SECRET_KEY="${token.token}"`,
            'export CATTLE_URL="http://rancher.test:8080/v1"',
            'export DETECTED_CATTLE_AGENT_IP="10.20.0.31"',
            "",
          ].join("\n"),
        );
      }
    });

    it("uses the socket peer without X-Forwarded-For and accepts project-scoped paths", async () => {
      const token = await activeToken(sim);
      for (const prefix of ["/v1/projects/1a5", "/v2-beta/projects/1a5"]) {
        const res = await call(sim, `${prefix}/scripts/${token.token}`);
        assert.equal(res.status, 200, prefix);
        assert.match(res.text, /DETECTED_CATTLE_AGENT_IP="127\.0\.0\.1"/);
      }
    });

    it("answers an unknown token with a 404 JSON error", async () => {
      const res = await call(sim, "/v1/scripts/0123456789ABCDEF0123:1514678400000:nope");
      assert.equal(res.status, 404);
      assert.equal(res.json.type, "error");
      assert.equal(res.json.status, 404);
    });
  });
});

describe("simulator: token settings", () => {
  it("puts CA_FINGERPRINT into the command and uses the listen url without publicUrl", async () => {
    const sim = await startSimulator({
      caFingerprint: "AB:CD:EF",
      agentImage: "registry.test/rancher/agent:v1.2.10",
      version: "v1.6.14",
      timings: FAST,
    });
    try {
      const token = await activeToken(sim);
      assert.equal(token.image, "registry.test/rancher/agent:v1.2.10");
      assert.equal(token.registrationUrl, `${sim.url}/v1/scripts/${token.token}`);
      assert.ok(
        token.command.startsWith(
          'sudo docker run --rm --privileged -e CA_FINGERPRINT="AB:CD:EF" -v /var/run/docker.sock:/var/run/docker.sock ',
        ),
      );
      assert.ok(token.command.endsWith(` registry.test/rancher/agent:v1.2.10 ${token.registrationUrl}`));
      const res = await call(sim, "/v1", { auth: sim.environmentKey });
      assert.equal(res.headers.get("x-rancher-version"), "v1.6.14");
    } finally {
      await sim.close();
    }
  });
});
