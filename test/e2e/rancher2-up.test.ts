// `rancher-enroll up` against Rancher 2.x (v3 API, RKE1 custom cluster): the built CLI (or the single executable)
// against the v3 simulator and a real Docker engine running the fake rancher/rancher-agent.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AGENT, e2e, useV3World } from "../support/e2e-v3.js";
import { docker } from "../support/testbed/engine.js";

describe("up on Rancher 2.x", { skip: e2e.skip }, () => {
  const world = useV3World();

  it("enrolls a node into a new cluster: one token, the agent as the node command says, the node active", async () => {
    const cluster = world.cluster();
    const run = await world.cli([
      "up",
      "--cluster",
      cluster.name,
      "--role",
      "etcd",
      "--role",
      "controlplane",
      "--role",
      "worker",
      "--node-name",
      "Node-01",
      "--output",
      "json",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const result = run.json();
    const nodes = world.simulator.nodes(cluster.id);
    assert.equal(nodes.length, 1);
    const [node] = nodes;
    assert.match(node!.id, /^c-[a-z0-9]+:m-[0-9a-f]{12}$/);
    assert.deepEqual(result.cluster, { id: cluster.id, name: cluster.name });
    const shown = result.node as Record<string, unknown>;
    assert.equal(shown.id, node!.id);
    assert.equal(shown.state, "active");
    assert.deepEqual(shown.roles, ["etcd", "controlplane", "worker"]);
    assert.equal(shown.name, "node-01");
    assert.match(run.stderr, /node name "Node-01" lower-cased to "node-01"/);
    assert.equal(world.simulator.registrationTokens(cluster.id).length, 1);

    const inspected = JSON.parse(await docker(world.testbed, ["inspect", AGENT])) as Array<{
      Args: string[];
      HostConfig: {
        Privileged: boolean;
        NetworkMode: string;
        RestartPolicy: { Name: string };
        Binds: string[];
      };
    }>;
    const agent = inspected[0]!;
    assert.equal(agent.HostConfig.Privileged, true);
    assert.equal(agent.HostConfig.NetworkMode, "host");
    assert.equal(agent.HostConfig.RestartPolicy.Name, "unless-stopped");
    assert.deepEqual(agent.HostConfig.Binds, ["/etc/kubernetes:/etc/kubernetes", "/var/run:/var/run"]);
    const [token] = world.simulator.registrationTokens(cluster.id);
    assert.deepEqual(agent.Args, [
      ...["--server", world.simulator.url, "--token", token!.token],
      ...["--node-name", "node-01", "--etcd", "--controlplane", "--worker"],
    ]);
  });
});
