// `rancher-enroll up` against Rancher 2.x (v3 API, RKE1 custom cluster): the built CLI (or the single executable)
// against the v3 simulator and a real Docker engine running the fake rancher/rancher-agent.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withoutTimestamps } from "../support/cli.js";
import { AGENT, e2e, useV3World } from "../support/e2e-v3.js";
import { startV3Simulator } from "../support/simulator/v3/index.js";
import { docker } from "../support/testbed/engine.js";

const ALL_ROLES = ["--role", "etcd", "--role", "controlplane", "--role", "worker"];

interface AgentContainer {
  Args: string[];
  HostConfig: { Privileged: boolean; NetworkMode: string; RestartPolicy: { Name: string }; Binds: string[] };
}

describe("up on Rancher 2.x", { skip: e2e.skip }, () => {
  const world = useV3World();
  const agentContainer = async () =>
    (JSON.parse(await docker(world.testbed, ["inspect", AGENT])) as AgentContainer[])[0]!;
  /** A new cluster's first node: it needs every role for the cluster to provision. */
  const firstNode = (cluster: { name: string }, ...more: string[]) =>
    world.cli(["up", "--cluster", cluster.name, ...ALL_ROLES, "-o", "json", ...more]);
  /** The API requests (not the agent's tunnel) since `since`: what one run of ours asked. */
  const requestsSince = (since: number) =>
    world.simulator.requests.slice(since).filter((r) => !/^\/(_sim|v3\/connect|ping$)/.test(r.path));

  it("enrolls a node into a new cluster: one token, the agent as the node command says, the node active", async () => {
    const cluster = world.cluster();
    const run = await firstNode(cluster, "--node-name", "Node-01");
    assert.equal(run.code, 0, run.stderr);
    const result = run.json();
    const nodes = world.simulator.nodes(cluster.id);
    assert.equal(nodes.length, 1);
    const node = nodes[0]!;
    assert.match(node.id, /^c-[a-z0-9]+:m-[0-9a-f]{12}$/);
    assert.deepEqual(result.cluster, { id: cluster.id, name: cluster.name });
    const shown = result.node as Record<string, unknown>;
    assert.deepEqual(
      [shown.id, shown.state, shown.name, shown.roles],
      [node.id, "active", "node-01", ["etcd", "controlplane", "worker"]],
    );
    assert.equal(result.changed, true);
    assert.match(run.stderr, /node name "Node-01" lower-cased to "node-01"/);
    assert.equal(world.simulator.registrationTokens(cluster.id).length, 1);

    const agent = await agentContainer();
    assert.equal(agent.HostConfig.Privileged, true);
    assert.equal(agent.HostConfig.NetworkMode, "host");
    assert.equal(agent.HostConfig.RestartPolicy.Name, "unless-stopped");
    assert.deepEqual(agent.HostConfig.Binds, ["/etc/kubernetes:/etc/kubernetes", "/var/run:/var/run"]);
    const [token] = world.simulator.registrationTokens(cluster.id);
    assert.deepEqual(agent.Args, [
      ...["--server", world.simulator.url, "--token", token!.token],
      ...["--node-name", "node-01", "--etcd", "--controlplane", "--worker"],
    ]);
    assert.ok(!run.stderr.includes(token!.token), "the registration token is masked in our logs");
    assert.ok(!(run.stdout + run.stderr).includes(world.simulator.adminToken.secretKey));
  });

  it("a worker by default, with the node's addresses, labels and taints as the agent registers them", async () => {
    const cluster = world.cluster({ active: true });
    const run = await world.cli([
      ...["up", "--cluster", cluster.id, "-o", "json", "--node-name", "web-01"],
      ...["--address", "10.20.30.40", "--internal-address", "10.20.31.40"],
      ...["--label", "zone=eu", "--taint", "dedicated=web:NoSchedule"],
    ]);
    assert.equal(run.code, 0, run.stderr);
    const [node] = world.simulator.nodes(cluster.id);
    assert.deepEqual(
      [node!.etcd, node!.controlPlane, node!.worker, node!.requestedHostname],
      [false, false, true, "web-01"],
    );
    assert.deepEqual(node!.customConfig, {
      address: "10.20.30.40",
      internalAddress: "10.20.31.40",
      label: { zone: "eu" },
      taints: ["dedicated=web:NoSchedule"],
    });
    const shown = run.json().node as Record<string, unknown>;
    assert.deepEqual([shown.roles, shown.address, shown.state], [["worker"], "10.20.30.40", "active"]);
  });

  it("again on an enrolled machine: a no-op in a few requests, also once Rancher has removed its agent", async () => {
    const cluster = world.cluster({ active: true });
    const first = await world.cli(["up", "--cluster", cluster.name, "-o", "json"]);
    assert.equal(first.code, 0, first.stderr);
    const nodeId = (first.json().node as { id: string }).id;
    const agentId = (await world.containers())[0];

    let since = world.simulator.requests.length;
    const again = await world.cli(["up", "--cluster", cluster.name, "-o", "json"]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual([again.json().changed, (again.json().node as { id: string }).id], [false, nodeId]);
    const asked = requestsSince(since);
    assert.ok(
      asked.length <= 3,
      `a no-op asks little: ${asked.map((r) => `${r.method} ${r.path}`).join(", ")}`,
    );
    assert.ok(asked.every((r) => r.method === "GET"));
    assert.deepEqual(await world.containers(), [agentId], "the same agent, not a new one");

    // Once the cluster runs, Rancher's node agent removes every io.cattle.agent=true container: ours is gone.
    await docker(world.testbed, ["rm", "--force", AGENT]);
    since = world.simulator.requests.length;
    const handedOver = await world.cli(["up", "--cluster", cluster.name, "-o", "json"]);
    assert.equal(handedOver.code, 0, handedOver.stderr);
    assert.equal(handedOver.json().changed, false);
    assert.match(handedOver.stderr, /is gone, as Rancher removes it once the cluster runs/);
    assert.deepEqual(await world.containers(), [], "no agent launched again");
    assert.ok(requestsSince(since).length <= 3);
  });

  it("a cluster that never becomes active: the missing roles said while waiting, exit 7 naming state and conditions", async () => {
    const cluster = world.cluster();
    const run = await world.cli(["up", "--cluster", cluster.name, "--timeout", "8"]);
    assert.equal(run.code, 7, run.stderr);
    const text = withoutTimestamps(run.stderr);
    assert.match(text, new RegExp(`cluster ${cluster.name} has no etcd, no controlplane node yet`));
    assert.match(text, /did not become active; last state "registering"/);
    assert.match(text, /Registered: Unknown \(waiting to register with Kubernetes\)/);
    assert.match(text, /Ready: not reported yet/);
    assert.equal(world.simulator.nodes(cluster.id).length, 1, "the node registered, and stays");
  });

  it("--wait-for registered: confirmed once Kubernetes has the node, before it is Ready", async () => {
    world.simulator.faults.keepKubeletsNotReady(true);
    const cluster = world.cluster();
    const run = await firstNode(cluster, "--wait-for", "registered");
    assert.equal(run.code, 0, run.stderr);
    const shown = run.json().node as Record<string, unknown>;
    assert.equal(shown.state, "unavailable");
    assert.deepEqual(shown.notTrue, [
      "Ready: False (container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:docker: network plugin is not ready: cni config uninitialized)",
    ]);
    const [node] = world.simulator.nodes(cluster.id);
    assert.ok(node!.conditions.some((c) => c.type === "Registered" && c.status === "True"));
  });

  it("refuses a Rancher 2.12 server, which has no RKE1: nothing created, no agent", async () => {
    const newer = await startV3Simulator({ host: world.testbed.bridgeIp, version: "v2.12.0" });
    try {
      const run = await world.cli(["up", "--cluster", "dev-rke1"], {
        RANCHER_URL: newer.url,
        RANCHER_TOKEN: newer.adminToken.bearer,
      });
      assert.equal(run.code, 8, run.stderr);
      assert.match(run.stderr, /runs Rancher v2\.12\.0, which has no RKE1 clusters/);
      assert.deepEqual(
        newer.requests.filter((r) => r.method !== "GET"),
        [],
      );
      assert.deepEqual(await world.containers(), []);
    } finally {
      await newer.close();
    }
  });

  it("an unknown cluster is exit 4 listing the clusters the token can see", async () => {
    const run = await world.cli(["up", "--cluster", "no-such-cluster"]);
    assert.equal(run.code, 4, run.stderr);
    assert.match(
      run.stderr,
      /cluster "no-such-cluster" not found; the API token can see: .*dev-rke1 \(c-[a-z0-9]+\)/,
    );
    assert.deepEqual(await world.containers(), []);
  });

  it("refused credentials are exit 3 naming RANCHER_TOKEN", async () => {
    const run = await world.cli(["up", "--cluster", "dev-rke1"], { RANCHER_TOKEN: "token-wrong:secret" });
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /RANCHER_TOKEN/);
    assert.ok(!run.stderr.includes("token-wrong:secret"), "the secret is not shown");
    assert.deepEqual(await world.containers(), []);
  });

  it("the 1.6 words are usage errors naming the 2.x ones", async () => {
    const environment = await world.cli(["up", "--environment", "dev-rke1"]);
    assert.equal(environment.code, 2, environment.stderr);
    assert.match(environment.stderr, /--environment is the Rancher 1\.6 word.*--cluster dev-rke1/s);
    const agentIp = await world.cli(["up", "--cluster", "dev-rke1", "--agent-ip", "10.0.0.9"]);
    assert.equal(agentIp.code, 2, agentIp.stderr);
    assert.match(agentIp.stderr, /--agent-ip is not an option for this server, which is Rancher 2\.x/);
    assert.match(agentIp.stderr, /--address the node's address/);
    assert.deepEqual(await world.containers(), []);
  });
});
