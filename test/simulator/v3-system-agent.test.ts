import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, it } from "node:test";
import { machineRequestName, type V3Simulator } from "../support/simulator/v3/index.js";
import { call, waitFor } from "./helpers.js";
import { defaultToken, startFastV3, v3call } from "./v3-helpers.js";

const INSTALLER = "#!/bin/sh\necho fake installer\n";
const CA = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

describe("v3 simulator: the system agent's side of an RKE2 custom cluster", () => {
  let sim: V3Simulator;
  beforeEach(async () => {
    sim = await startFastV3({ installerScript: INSTALLER, cacerts: CA });
  });
  afterEach(() => sim.close());

  /** What install.sh sends to /v3/connect/agent. */
  const connect = (token: string, id: string, headers: Record<string, string> = {}) =>
    call(sim, "/v3/connect/agent", {
      headers: { Authorization: `Bearer ${token}`, "X-Cattle-Id": id, ...headers },
    });
  const machines = async (selector: string) =>
    (
      await v3call(
        sim,
        `/v1/cluster.x-k8s.io.machines/fleet-default?labelSelector=${encodeURIComponent(selector)}`,
      )
    ).json;

  it("serves the installer without credentials, and /cacerts proves it knows the token", async () => {
    const script = await call(sim, "/system-agent-install.sh");
    assert.deepEqual([script.status, script.text], [200, INSTALLER]);
    const token = defaultToken(sim, "dev-rke2");
    const hashed = createHash("sha256").update(token).digest("base64");
    const res = await call(sim, "/cacerts", {
      headers: { Authorization: `Bearer ${hashed}`, "X-Cattle-Nonce": "n1" },
    });
    assert.equal(res.text, CA);
    const expected = createHmac("sha512", token)
      .update("n1")
      .update("\0")
      .update(CA)
      .update("\0")
      .digest("base64");
    assert.equal(res.headers.get("x-cattle-hash"), expected);
  });

  it("/v3/connect/agent: 401 without a machine id or with an unknown token, else the agent's connection info", async () => {
    const token = defaultToken(sim, "dev-rke2");
    assert.equal((await connect(token, "")).status, 401);
    assert.equal((await connect("nope", "id-1")).status, 401);
    const res = await connect(token, "id-1", { "X-Cattle-Role-Worker": "true" });
    assert.equal(res.status, 200);
    assert.equal(res.json.namespace, "fleet-default");
    assert.equal(res.json.secretName, `${machineRequestName("id-1")}-machine-plan`);
    assert.match(res.json.kubeConfig, /server: /);
    assert.ok(res.text.startsWith('{\n  "namespace"'), "indented as json.Encoder SetIndent does");
  });

  it("makes one CAPI machine per machine id, labelled as the unmanaged controller does", async () => {
    const token = defaultToken(sim, "dev-rke2");
    const headers = {
      "X-Cattle-Role-Worker": "true",
      "X-Cattle-Node-Name": "Node-01",
      "X-Cattle-Address": "10.0.0.11",
      "X-Cattle-Internal-Address": "192.168.0.11",
      "X-Cattle-Labels": "zone=a,disk=ssd",
    };
    await connect(token, "abc123", headers);
    await connect(token, "abc123", headers);
    const list = await machines("rke.cattle.io/machine-id=abc123");
    assert.equal(list.type, "collection");
    assert.equal(list.data.length, 1, "a rerun with the same id is the same machine");
    const [machine] = list.data;
    assert.equal(machine.id, `fleet-default/${machineRequestName("abc123")}`);
    assert.equal(machine.spec.clusterName, "dev-rke2");
    assert.deepEqual(
      [
        machine.metadata.labels["rke.cattle.io/worker-role"],
        machine.metadata.labels["rke.cattle.io/node-name"],
        machine.metadata.labels["cluster.x-k8s.io/cluster-name"],
        machine.metadata.labels.zone,
      ],
      ["true", "Node-01", "dev-rke2", "a"],
    );
    assert.equal(machine.metadata.annotations["rke.cattle.io/address"], "10.0.0.11");
    assert.equal(machine.metadata.annotations["rke.cattle.io/internal-address"], "192.168.0.11");
    assert.equal((await machines("rke.cattle.io/machine-id=other")).data.length, 0);
  });

  it("lists in chunks with `limit`, handing a `continue` token while more follow, as Kubernetes does", async () => {
    const token = defaultToken(sim, "dev-rke2");
    for (const id of ["c1", "c2", "c3"]) await connect(token, id, { "X-Cattle-Role-Worker": "true" });
    const path = "/v1/cluster.x-k8s.io.machines/fleet-default";
    const first = (await v3call(sim, `${path}?limit=2`)).json;
    assert.deepEqual([first.data.length, typeof first.continue], [2, "string"]);
    const rest = (await v3call(sim, `${path}?limit=2&continue=${encodeURIComponent(first.continue)}`)).json;
    assert.deepEqual([rest.data.length, rest.continue], [1, undefined]);
    const ids = [...first.data, ...rest.data].map((m: { id: string }) => m.id);
    assert.equal(new Set(ids).size, 3);
    assert.equal((await v3call(sim, path)).json.data.length, 3, "Steve's default limit is 100000");
    assert.equal((await v3call(sim, `${path}?continue=nonsense!`)).status, 400);
  });

  it("a lone worker waits; with etcd and control plane every machine runs and gets its node, then deletes", async () => {
    const cluster = sim.cluster("dev-rke2");
    const token = defaultToken(sim, "dev-rke2");
    await connect(token, "worker-id", { "X-Cattle-Role-Worker": "true", "X-Cattle-Node-Name": "w1" });
    await waitFor(() => sim.machines(cluster.id)[0]?.phase === "Provisioning", "provisioning");
    const rke2 = (await v3call(sim, `/v3/clusters/${cluster.id}`)).json;
    assert.equal(
      rke2.transitioningMessage,
      "waiting for at least one control plane, etcd, and worker node to be registered",
    );
    await connect(token, "server-id", {
      "X-Cattle-Role-Etcd": "true",
      "X-Cattle-Role-Control-Plane": "true",
      "X-Cattle-Node-Name": "s1",
    });
    const running = await waitFor(async () => {
      const [machine] = (await machines("rke.cattle.io/machine-id=worker-id")).data;
      return machine?.status.phase === "Running" && machine;
    }, "running");
    assert.deepEqual(running.status.nodeRef, { apiVersion: "v1", kind: "Node", name: "w1" });
    const nodes = (await v3call(sim, `/v3/nodes?clusterId=${cluster.id}&nodeName=w1`)).json.data;
    assert.equal(nodes.length, 1);
    assert.match(nodes[0].id, new RegExp(`^${cluster.id}:machine-[a-z0-9]{5}$`));
    assert.equal(nodes[0].state, "active");
    const deleted = await v3call(sim, running.links.self, { method: "DELETE" });
    assert.equal(deleted.json.status.phase, "Deleting");
    await waitFor(async () => (await v3call(sim, running.links.self)).status === 404, "machine gone");
    assert.equal((await v3call(sim, `/v3/nodes?clusterId=${cluster.id}&nodeName=w1`)).json.data.length, 0);
  });
});
