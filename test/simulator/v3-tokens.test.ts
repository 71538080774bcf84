import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { V3Simulator, V3SimulatorOptions } from "../support/simulator/v3/index.js";
import { sleep, waitFor } from "./helpers.js";
import { FAST_V3, startFastV3, v3call } from "./v3-helpers.js";

const CA = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----";
const CHECKSUM = createHash("sha256").update(`${CA}\n`).digest("hex");
const DOCKER =
  "sudo docker run -d --privileged --restart=unless-stopped --net=host -v /etc/kubernetes:/etc/kubernetes -v /var/run:/var/run";

async function withSim(
  options: V3SimulatorOptions,
  test: (sim: V3Simulator) => Promise<void>,
): Promise<void> {
  const sim = await startFastV3(options);
  try {
    await test(sim);
  } finally {
    await sim.close();
  }
}

describe("v3 simulator: cluster registration tokens (2.8)", () => {
  let sim: V3Simulator;
  let clusterId: string;
  before(async () => {
    sim = await startFastV3({ cacerts: CA, serverUrl: "https://rancher.example.com/some/path" });
    clusterId = sim.cluster("dev-rke1").id;
  });
  after(() => sim.close());

  it("default-token carries the exact Docker node command: two spaces, server root, CA checksum", async () => {
    const res = await v3call(sim, `/v3/clusterregistrationtokens/${clusterId}:default-token`);
    assert.equal(res.status, 200);
    const token = res.json;
    assert.equal(token.type, "clusterRegistrationToken");
    assert.equal(token.state, "active");
    assert.match(token.token, /^[bcdfghjklmnpqrstvwxz2456789]{54}$/);
    assert.equal(
      token.nodeCommand,
      `${DOCKER}  rancher/rancher-agent:v2.8.15 --server https://rancher.example.com --token ${token.token} --ca-checksum ${CHECKSUM}`,
    );
    assert.equal(token.manifestUrl, `https://rancher.example.com/v3/import/${token.token}_${clusterId}.yaml`);
    assert.equal(token.command, `kubectl apply -f ${token.manifestUrl}`);
  });

  it("POST makes a crt- token with its value at once and the commands a moment later", async () => {
    const created = await v3call(sim, "/v3/clusterregistrationtokens", {
      method: "POST",
      body: { type: "clusterRegistrationToken", clusterId },
    });
    assert.equal(created.status, 201);
    assert.match(created.json.id, new RegExp(`^${clusterId}:crt-[a-z0-9]{5}$`));
    assert.match(created.json.token, /^[a-z0-9]{54}$/);
    assert.equal(created.json.nodeCommand, "");
    const filled = await waitFor(async () => {
      const token = (await v3call(sim, created.json.links.self)).json;
      return token.nodeCommand !== "" && token;
    }, "nodeCommand");
    assert.ok(filled.nodeCommand.includes(`--token ${created.json.token}`));
    const listed = await v3call(sim, `/v3/clusterregistrationtokens?clusterId=${clusterId}`);
    assert.equal(listed.json.data.length, 2);
  });

  it("a name already taken is 409 AlreadyExists; a missing clusterId is 422", async () => {
    const conflict = await v3call(sim, "/v3/clusterRegistrationToken", {
      method: "POST",
      body: { type: "clusterRegistrationToken", clusterId, name: "default-token" },
    });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.json.code, "AlreadyExists");
    assert.equal(
      conflict.json.message,
      'clusterregistrationtokens.management.cattle.io "default-token" already exists',
    );
    const missing = await v3call(sim, "/v3/clusterregistrationtokens", { method: "POST", body: {} });
    assert.equal(missing.status, 422);
    assert.equal(missing.json.code, "MissingRequired");
  });

  it("keepTokensWithoutCommand holds the commands back until released", async () => {
    sim.faults.keepTokensWithoutCommand(true);
    const created = await v3call(sim, `/v3/clusters/${clusterId}/clusterregistrationtokens`, {
      method: "POST",
      body: { name: "held" },
    });
    assert.equal(created.json.id, `${clusterId}:held`);
    await sleep(FAST_V3.tokenCommandMs * 4);
    assert.equal((await v3call(sim, created.json.links.self)).json.nodeCommand, "");
    sim.faults.keepTokensWithoutCommand(false);
    assert.notEqual((await v3call(sim, created.json.links.self)).json.nodeCommand, "");
  });

  it("quotes agentEnvVars into the Docker command; the RKE2 cluster gets the system-agent command", async () => {
    const proxied = sim.addCluster({
      name: "proxied",
      agentEnvVars: [
        { name: "HTTPS_PROXY", value: "http://10.0.0.5:3128" },
        { name: "EMPTY", value: "" },
      ],
    });
    const token = (await v3call(sim, `/v3/clusterregistrationtokens/${proxied.id}:default-token`)).json;
    assert.ok(
      token.nodeCommand.startsWith(`${DOCKER} -e "HTTPS_PROXY=http://10.0.0.5:3128" rancher/rancher-agent`),
    );
    const rke2 = sim.cluster("dev-rke2");
    const curl = (await v3call(sim, `/v3/clusterregistrationtokens/${rke2.id}:default-token`)).json;
    assert.equal(
      curl.nodeCommand,
      ` curl -fL https://rancher.example.com/system-agent-install.sh | sudo  sh -s - --server https://rancher.example.com --label 'cattle.io/os=linux' --token ${curl.token} --ca-checksum ${CHECKSUM}`,
    );
  });
});

describe("v3 simulator: token behaviour by server version", () => {
  it("2.5: no default-token, commands at once, unquoted env, request host when server-url is unset", () =>
    withSim({ version: "v2.5.17", serverUrl: "" }, async (sim) => {
      const cluster = sim.addCluster({ name: "old", agentEnvVars: [{ name: "NO_PROXY", value: "x" }] });
      assert.equal(
        (await v3call(sim, `/v3/clusterregistrationtokens?clusterId=${cluster.id}`)).json.data.length,
        0,
      );
      const created = await v3call(sim, "/v3/clusterregistrationtokens", {
        method: "POST",
        body: { clusterId: cluster.id },
      });
      assert.equal(
        created.json.nodeCommand,
        `${DOCKER} -e NO_PROXY=x rancher/rancher-agent:v2.5.17 --server ${sim.url} --token ${created.json.token}`,
      );
    }));

  it("2.6+: an unset server-url leaves every command empty", () =>
    withSim({ version: "v2.6.14", serverUrl: "" }, async (sim) => {
      const id = sim.cluster("dev-rke1").id;
      const token = (await v3call(sim, `/v3/clusterregistrationtokens/${id}:default-token`)).json;
      assert.notEqual(token.token, "");
      assert.equal(token.nodeCommand, "");
      assert.equal(token.command, "");
    }));

  it("2.12: no Docker command, every cluster's command installs the system agent", () =>
    withSim({ version: "v2.12.0" }, async (sim) => {
      const id = sim.cluster("dev-rke1").id;
      const token = (await v3call(sim, `/v3/clusterregistrationtokens/${id}:default-token`)).json;
      assert.ok(!token.nodeCommand.includes("docker run"));
      assert.ok(token.nodeCommand.includes("/system-agent-install.sh | sudo"));
      assert.equal((await v3call(sim, "/v3/settings/server-version")).json.value, "v2.12.0");
    }));
});
