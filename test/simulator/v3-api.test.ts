import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { TestCertificates } from "../support/certificates.js";
import type { V3Simulator } from "../support/simulator/v3/index.js";
import { call } from "./helpers.js";
import { httpsGet, startFastV3, v3call } from "./v3-helpers.js";

const MUST_AUTHENTICATE = { type: "error", status: "401", message: "Unauthorized 401: must authenticate" };

describe("v3 simulator: authentication and API conventions", () => {
  let sim: V3Simulator;
  before(async () => {
    sim = await startFastV3();
  });
  after(() => sim.close());

  it("accepts Bearer (any case) and Basic with the token's two halves", async () => {
    const { accessKey, secretKey, bearer } = sim.adminToken;
    assert.match(accessKey, /^token-[a-z0-9]{5}$/);
    assert.match(secretKey, /^[bcdfghjklmnpqrstvwxz2456789]{54}$/);
    for (const authorization of [
      `Bearer ${bearer}`,
      `bearer ${bearer}`,
      `Basic ${Buffer.from(`${accessKey}:${secretKey}`).toString("base64")}`,
    ]) {
      const res = await call(sim, "/v3/clusters", { headers: { Authorization: authorization } });
      assert.equal(res.status, 200, authorization.split(" ")[0]);
    }
    const cookie = await call(sim, "/v3/clusters", { headers: { Cookie: `R_SESS=${bearer}` } });
    assert.equal(cookie.status, 200);
  });

  it("refuses with error shape 2 (string status, no code): missing, wrong, disabled", async () => {
    const disabled = sim.addApiToken({ enabled: false });
    for (const token of [
      null,
      { ...sim.adminToken, bearer: `${sim.adminToken.accessKey}:wrong` },
      disabled,
    ]) {
      const res = await v3call(sim, "/v3/clusters", { token });
      assert.equal(res.status, 401);
      assert.deepEqual(res.json, MUST_AUTHENTICATE);
      assert.ok(res.text.endsWith("}\n"), "json.Encoder ends the body with a newline");
    }
  });

  it("a cluster-scoped token passes only under /v3/clusters/<its id>", async () => {
    const cluster = sim.cluster("dev-rke1");
    const scoped = sim.addApiToken({ clusterId: cluster.id });
    assert.equal((await v3call(sim, `/v3/clusters/${cluster.id}`, { token: scoped })).status, 200);
    const nodes = await v3call(sim, `/v3/clusters/${cluster.id}/nodes`, { token: scoped });
    assert.equal(nodes.status, 200);
    const tokens = await v3call(sim, `/v3/clusters/${cluster.id}/clusterregistrationtokens`, {
      token: scoped,
    });
    assert.deepEqual(
      tokens.json.data.map((t: { id: string }) => t.id),
      [`${cluster.id}:default-token`],
    );
    for (const path of ["/v3/clusters", `/v3/nodes?clusterId=${cluster.id}`, "/v3/settings/agent-image"]) {
      const res = await v3call(sim, path, { token: scoped });
      assert.equal(res.status, 401, path);
      assert.deepEqual(res.json, MUST_AUTHENTICATE);
    }
    const other = sim.cluster("dev-rke2");
    assert.equal((await v3call(sim, `/v3/clusters/${other.id}/nodes`, { token: scoped })).status, 401);
  });

  it("serves ping, healthz, cacerts, rancherversion and the cacerts setting without credentials", async () => {
    assert.equal((await call(sim, "/ping")).text, "pong");
    assert.equal((await call(sim, "/healthz")).text, "ok");
    const version = await call(sim, "/rancherversion");
    assert.equal(version.json.Version, "v2.8.15");
    const setting = await call(sim, "/v3/settings/cacerts");
    assert.equal(setting.status, 200);
    assert.equal(setting.json.type, "setting");
    assert.equal(setting.json.value, "", "a publicly trusted certificate: empty cacerts");
    assert.equal((await call(sim, "/cacerts")).text, "");
    assert.equal((await call(sim, "/v3/settings/server-version")).status, 401);
    const server = await v3call(sim, "/v3/settings/server-version");
    assert.equal(server.json.value, "v2.8.15");
    const image = await v3call(sim, "/v3/settings/agent-image");
    assert.equal(image.json.value, "rancher/rancher-agent:v2.8.15");
  });

  it("looks clusters up by exact name (unknown filters ignored) and by id; norman error shape 1", async () => {
    const byName = await v3call(sim, "/v3/clusters?name=dev-rke1");
    assert.equal(byName.json.type, "collection");
    assert.equal(byName.json.resourceType, "cluster");
    assert.equal(byName.json.data.length, 1);
    const rke1 = byName.json.data[0];
    assert.match(rke1.id, /^c-[a-z0-9]{5}$/);
    assert.equal(rke1.driver, "rancherKubernetesEngine");
    assert.equal(rke1.state, "provisioning");
    assert.equal(
      rke1.transitioningMessage,
      "waiting for etcd, controlplane and worker nodes to be registered",
    );
    assert.equal(rke1.links.nodes, `${sim.url}/v3/clusters/${rke1.id}/nodes`);
    assert.equal((await v3call(sim, "/v3/clusters?name=dev")).json.data.length, 0, "exact, not prefix");
    assert.equal((await v3call(sim, "/v3/clusters?nmae=dev-rke1")).json.data.length, 2, "typo: ignored");
    const rke2 = (await v3call(sim, "/v3/clusters?name=dev-rke2")).json.data[0];
    assert.match(rke2.id, /^c-m-[a-z0-9]{8}$/);
    assert.equal(
      rke2.annotations["objectset.rio.cattle.io/owner-gvk"],
      "provisioning.cattle.io/v1, Kind=Cluster",
    );
    assert.equal((await v3call(sim, `/v3/clusters/${rke1.id}`)).json.name, "dev-rke1");
    const missing = await v3call(sim, "/v3/clusters/c-nope1");
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, {
      baseType: "error",
      type: "error",
      status: 404,
      code: "NotFound",
      message: 'clusters.management.cattle.io "c-nope1" not found',
    });
    assert.equal((await v3call(sim, "/v3/clusters", { method: "POST", body: {} })).status, 405);
  });

  it("failures and rate limits answer with norman bodies; the request log keeps only the access key", async () => {
    sim.clearRequests();
    sim.faults.failNext(1);
    const failed = await v3call(sim, "/v3/clusters");
    assert.equal(failed.status, 503);
    assert.equal(failed.json.status, 503);
    sim.faults.rateLimitNext(1, 3);
    const limited = await v3call(sim, "/v3/clusters");
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("retry-after"), "3");
    assert.equal((await v3call(sim, "/v3/clusters")).status, 200);
    const log = JSON.stringify(sim.requests);
    assert.ok(log.includes(sim.adminToken.accessKey));
    assert.ok(!log.includes(sim.adminToken.secretKey), "never the secret");
    const control = await call(sim, "/_sim/faults", { method: "POST", body: { keepNodesRegistering: true } });
    assert.equal(control.json.keepNodesRegistering, true);
    sim.faults.reset();
  });
});

describe("v3 simulator: HTTPS with a private CA", () => {
  const pki = new TestCertificates();
  let sim: V3Simulator;
  let ca: string;
  before(async () => {
    const authority = pki.authority("test ca");
    ca = authority.cert;
    const server = pki.server({ commonName: "rancher.test", ips: ["127.0.0.1"] }, authority);
    sim = await startFastV3({ tls: { key: server.key, cert: server.cert }, cacerts: ca });
  });
  after(async () => {
    await sim.close();
    pki.remove();
  });

  it("stores the CA trimmed: the setting has no final newline, /cacerts one, the checksum is jq -r's", async () => {
    assert.match(sim.url, /^https:/);
    const options = { ca };
    const pem = (await httpsGet(`${sim.url}/cacerts`, options)).text;
    assert.equal(pem, `${ca.trimEnd()}\n`);
    const setting = JSON.parse((await httpsGet(`${sim.url}/v3/settings/cacerts`, options)).text);
    assert.equal(setting.value, ca.trimEnd());
    const jqOutput = `${setting.value}\n`; // run.sh: jq -r '.value' | sha256sum
    const token = JSON.parse(
      (
        await httpsGet(
          `${sim.url}/v3/clusterregistrationtokens/${sim.cluster("dev-rke1").id}:default-token`,
          {
            ...options,
            headers: { Authorization: `Bearer ${sim.adminToken.bearer}` },
          },
        )
      ).text,
    );
    assert.ok(token.nodeCommand.endsWith(` --ca-checksum ${sha256(jqOutput)}`));
  });
});

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
