import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import type { Socket } from "node:net";
import { afterEach, beforeEach, describe, it } from "node:test";
import { machineName, type V3Simulator } from "../support/simulator/v3/index.js";
import { call, sleep, waitFor } from "./helpers.js";
import { FAST_V3, connectAgent, defaultToken, startFastV3, tunnelParams, v3call } from "./v3-helpers.js";

const NOT_WEBSOCKET =
  "websocket: the client is not using the websocket protocol: 'upgrade' token not found in 'Connection' header";

describe("v3 simulator: nodes", () => {
  let sim: V3Simulator;
  beforeEach(async () => {
    // initializing must last long enough to be seen on a loaded machine
    sim = await startFastV3({ timings: { nodeInitializingMs: 300 } });
  });
  afterEach(() => sim.close());
  const nodeUrl = (clusterId: string, hostname: string) => `/v3/nodes/${clusterId}:${machineName(hostname)}`;

  it("registers through the tunnel; a lone worker stays registering until the cluster has every role", async () => {
    const cluster = sim.cluster("dev-rke1");
    const token = defaultToken(sim, "dev-rke1");
    const worker = await connectAgent(sim, token, { requestedHostname: "worker-1", address: "10.0.0.21" });
    assert.equal(worker.status, 400);
    assert.equal(worker.text, NOT_WEBSOCKET, "authorized, then the upgrader refuses a plain GET");
    assert.equal(machineName("node-01"), "m-3429e0b1fe17");
    const id = `${cluster.id}:${machineName("worker-1")}`;
    const first = (await v3call(sim, `/v3/nodes/${id}`)).json;
    assert.equal(first.state, "initializing");
    const registering = await waitFor(async () => {
      const node = (await v3call(sim, `/v3/nodes/${id}`)).json;
      return node.state === "registering" && node;
    }, "registering");
    assert.equal(registering.transitioningMessage, "waiting to register with Kubernetes");
    assert.equal(registering.nodeName, "");
    assert.equal(registering.customConfig.address, "10.0.0.21");
    await sleep(FAST_V3.clusterProvisioningMs + FAST_V3.nodeRegisteringMs * 2);
    assert.equal(
      (await v3call(sim, `/v3/nodes/${id}`)).json.state,
      "registering",
      "no etcd, no controlplane",
    );
    const clusterNow = (await v3call(sim, `/v3/clusters/${cluster.id}`)).json;
    assert.equal(
      clusterNow.transitioningMessage,
      "waiting for etcd, controlplane and worker nodes to be registered",
    );

    await connectAgent(sim, token, {
      requestedHostname: "Master-1",
      address: "10.0.0.22",
      roles: ["etcd", "controlplane"],
    });
    const active = await waitFor(async () => {
      const node = (await v3call(sim, `/v3/nodes/${id}`)).json;
      return node.state === "active" && node;
    }, "active");
    assert.equal(active.nodeName, "worker-1");
    const conditions = Object.fromEntries(
      active.conditions.map((c: { type: string; status: string }) => [c.type, c.status]),
    );
    assert.equal(conditions.Registered, "True");
    assert.equal(conditions.Ready, "True");
    assert.equal(active.labels["node-role.kubernetes.io/worker"], "true");
    assert.equal((await v3call(sim, `/v3/clusters/${cluster.id}`)).json.state, "active");
    const master = (await v3call(sim, nodeUrl(cluster.id, "Master-1"))).json;
    assert.equal(master.requestedHostname, "Master-1");
    await waitFor(
      async () => (await v3call(sim, nodeUrl(cluster.id, "Master-1"))).json.nodeName === "master-1",
      "lower-cased node name",
    );
  });

  it("carries labels and taints; a node joining an active cluster becomes active by itself", async () => {
    const cluster = sim.addCluster({ name: "ready", active: true });
    const token = defaultToken(sim, "ready");
    await connectAgent(sim, token, {
      requestedHostname: "node-01",
      address: "10.0.0.11",
      internalAddress: "192.168.0.11",
      roles: ["worker"],
      label: { "tool.example/run": "abc" },
      taints: ["dedicated=gpu:NoSchedule"],
    });
    const node = await waitFor(async () => {
      const res = (await v3call(sim, nodeUrl(cluster.id, "node-01"))).json;
      return res.state === "active" && res;
    }, "active");
    assert.equal(node.customConfig.label["tool.example/run"], "abc");
    assert.equal(node.labels["tool.example/run"], "abc");
    assert.deepEqual(node.taints, [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }]);
    assert.equal(node.ipAddress, "192.168.0.11");
    assert.equal(node.externalIpAddress, "10.0.0.11");
  });

  it("re-registering the same name updates only the roles; /v3/connect needs an existing node", async () => {
    const cluster = sim.cluster("dev-rke1");
    const token = defaultToken(sim, "dev-rke1");
    assert.equal(
      (await connectAgent(sim, token, { requestedHostname: "ghost" }, "/v3/connect")).text,
      `nodes.management.cattle.io "${machineName("ghost")}" not found`,
    );
    await connectAgent(sim, token, { requestedHostname: "node-02", address: "10.0.0.12", roles: ["worker"] });
    await connectAgent(sim, token, { requestedHostname: "node-02", address: "10.0.0.99", roles: ["etcd"] });
    assert.equal(sim.nodes(cluster.id).length, 1);
    const node = (await v3call(sim, nodeUrl(cluster.id, "node-02"))).json;
    assert.equal(node.etcd, true);
    assert.equal(node.worker, false);
    assert.equal(node.customConfig.address, "10.0.0.12", "the address is not persisted");
    assert.equal(
      (await connectAgent(sim, token, { requestedHostname: "node-02" }, "/v3/connect")).status,
      400,
    );
  });

  it("refuses like remotedialer: 401 without a token, 400 for an unknown token or bad params", async () => {
    const token = defaultToken(sim, "dev-rke1");
    const none = await call(sim, "/v3/connect/register", {
      headers: { "X-API-Tunnel-Params": tunnelParams({ requestedHostname: "x" }) },
    });
    assert.deepEqual([none.status, none.text], [401, "failed authentication"]);
    const unknown = await connectAgent(sim, "nope", { requestedHostname: "x" });
    assert.deepEqual([unknown.status, unknown.text], [400, "cluster not found"]);
    const noHost = await connectAgent(sim, token, { requestedHostname: "" });
    assert.equal(noHost.text, "invalid input, hostname empty");
    const noAddress = await connectAgent(sim, token, { requestedHostname: "x", address: "" });
    assert.equal(noAddress.text, "invalid input, address empty");
    assert.equal(sim.nodes(sim.cluster("dev-rke1").id).length, 0);
  });

  it("/v3/connect/config: 503 until the cluster provisions, then a plan; 404 on RKE2; 500 for no node", async () => {
    const token = defaultToken(sim, "dev-rke1");
    const config = (node: Parameters<typeof connectAgent>[2], t = token) =>
      connectAgent(sim, t, node, "/v3/connect/config");
    const unknown = await config({ requestedHostname: "nobody" });
    assert.deepEqual(
      [unknown.status, unknown.text],
      [500, `nodes.management.cattle.io "${machineName("nobody")}" not found`],
    );
    await connectAgent(sim, token, { requestedHostname: "solo", roles: ["etcd", "controlplane", "worker"] });
    assert.equal((await config({ requestedHostname: "solo" })).status, 503);
    const plan = await waitFor(async () => {
      const res = await config({ requestedHostname: "solo" });
      return res.status === 200 && res.json;
    }, "a plan");
    assert.equal(plan.clusterName, sim.cluster("dev-rke1").id);
    const rke2Token = defaultToken(sim, "dev-rke2");
    await connectAgent(sim, rke2Token, { requestedHostname: "v2" });
    assert.equal((await config({ requestedHostname: "v2" }, rke2Token)).status, 404);
    assert.equal((await call(sim, "/v3/connect/config")).status, 401);
  });

  it("holds a websocket session open for as long as the agent keeps it", async () => {
    const token = defaultToken(sim, "dev-rke1");
    const socket = await openTunnel(sim.url, token, tunnelParams({ requestedHostname: "ws-node" }));
    const node = await waitFor(() => sim.nodes(sim.cluster("dev-rke1").id)[0], "node");
    assert.equal(node.agent.sessions, 1);
    socket.destroy();
    await waitFor(() => node.agent.sessions === 0, "session closed");
  });

  it("DELETE: removing, then gone; keepNodesRemoving holds it", async () => {
    const cluster = sim.cluster("dev-rke1");
    const [node] = sim.seedNodes({ clusterId: cluster.id, hostname: "old-01" });
    assert.ok(node);
    assert.equal((await v3call(sim, `/v3/nodes/${node.id}`)).json.state, "active");
    sim.faults.keepNodesRemoving(true);
    const deleted = await v3call(sim, `/v3/nodes/${node.id}`, { method: "DELETE" });
    assert.equal(deleted.status, 200);
    assert.equal(deleted.json.state, "removing");
    await sleep(FAST_V3.nodeRemovingMs * 3);
    assert.equal((await v3call(sim, `/v3/nodes/${node.id}`)).json.state, "removing");
    sim.faults.keepNodesRemoving(false);
    const gone = await v3call(sim, `/v3/nodes/${node.id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.json.message, `nodes.management.cattle.io "${node.name}" not found`);
  });

  it("a stale namesake is the node a new agent of that name re-registers into; unreachable: unavailable", async () => {
    const cluster = sim.addCluster({ name: "live", active: true });
    const [stale] = sim.seedNodes({
      clusterId: cluster.id,
      hostname: "node-01",
      address: "10.0.0.50",
      reachable: false,
    });
    assert.ok(stale);
    const before = (await v3call(sim, `/v3/nodes/${stale.id}`)).json;
    assert.equal(before.state, "unavailable");
    assert.equal(before.transitioning, "error");
    sim.setNodeReachable(stale.id, true);
    assert.equal((await v3call(sim, `/v3/nodes/${stale.id}`)).json.state, "active");
    await connectAgent(sim, defaultToken(sim, "live"), {
      requestedHostname: "node-01",
      address: "10.0.0.11",
    });
    assert.equal(sim.nodes(cluster.id).length, 1, "found by m-<md5(name)>, not created");
    assert.equal(sim.nodes(cluster.id)[0]?.uuid, before.uuid);
  });

  it("pages more than 1000 nodes with marker URLs; filters on requestedHostname", async () => {
    const cluster = sim.cluster("dev-rke1");
    sim.seedNodes({ clusterId: cluster.id, count: 1203, hostname: "bulk" });
    const seen = new Set<string>();
    let url: string | undefined = `/v3/clusters/${cluster.id}/nodes`;
    let pages = 0;
    while (url) {
      const page: { data: Array<{ id: string }>; pagination: { total: number; next?: string } } = (
        await v3call(sim, url)
      ).json;
      for (const node of page.data) seen.add(node.id);
      assert.equal(page.pagination.total, 1203);
      url = page.pagination.next;
      pages += 1;
    }
    assert.equal(pages, 2);
    assert.equal(seen.size, 1203);
    const small = (await v3call(sim, `/v3/nodes?clusterId=${cluster.id}&limit=500`)).json;
    assert.equal(small.data.length, 500);
    assert.equal(small.pagination.partial, true);
    assert.match(small.pagination.next, /marker=c-/);
    const one = (await v3call(sim, `/v3/nodes?clusterId=${cluster.id}&requestedHostname=bulk-7`)).json;
    assert.deepEqual(
      one.data.map((n: { requestedHostname: string }) => n.requestedHostname),
      ["bulk-7"],
    );
  });

  it("keepClustersProvisioning: the cluster never becomes active, its nodes stay registering", async () => {
    sim.faults.keepClustersProvisioning(true);
    const cluster = sim.cluster("dev-rke1");
    await connectAgent(sim, defaultToken(sim, "dev-rke1"), {
      requestedHostname: "all-in-one",
      roles: ["etcd", "controlplane", "worker"],
    });
    await waitFor(
      () => sim.nodes(cluster.id)[0]?.conditions.some((c) => c.type === "Provisioned"),
      "provisioned",
    );
    await sleep(FAST_V3.clusterProvisioningMs * 3);
    assert.equal((await v3call(sim, `/v3/clusters/${cluster.id}`)).json.state, "provisioning");
    assert.equal((await v3call(sim, nodeUrl(cluster.id, "all-in-one"))).json.state, "registering");
    sim.faults.keepClustersProvisioning(false);
    await waitFor(
      async () => (await v3call(sim, nodeUrl(cluster.id, "all-in-one"))).json.state === "active",
      "active",
    );
  });
});

/** A websocket handshake on the tunnel URL; resolves with the socket once the server answered 101. */
function openTunnel(url: string, token: string, params: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v3/connect/register`, {
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": randomBytes(16).toString("base64"),
        "X-API-Tunnel-Token": token,
        "X-API-Tunnel-Params": params,
      },
    });
    req.on("upgrade", (res, socket) =>
      res.statusCode === 101 ? resolve(socket) : reject(new Error(String(res.statusCode))),
    );
    req.on("response", (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.on("error", reject);
    req.end();
  });
}
