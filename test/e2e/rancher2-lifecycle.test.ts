// A node's life after `up` on Rancher 2.x (v3 API, RKE1 custom cluster): `status`, `down`, `down --purge` and
// `prepare [--clean]`, with the built CLI (or the single executable) against the v3 simulator and the test bed's
// private engine, whose /etc, /opt, /var/lib and /var/log are its own (so the node clean-up never touches this
// machine's).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runCli, withoutTimestamps } from "../support/cli.js";
import { AGENT, e2e, useV3World } from "../support/e2e-v3.js";
import type { V3Cluster } from "../support/simulator/v3/index.js";
import { docker, tryDocker } from "../support/testbed/engine.js";
import { waitFor } from "../support/testbed/wait.js";

interface StatusJson {
  healthy: boolean;
  problems: string[];
  node?: { id: string; state: string; conditions?: Array<{ type: string; status: string }> } | null;
  agent: { present: boolean; running: boolean; image?: string };
  enrollment?: { serverLine: string; cluster: { id: string; name: string }; nodeId?: string };
  unchecked?: { kind: string; exitCode: number };
}

/** The engine's folders that a node clean-up may touch, mounted into a helper container under /host. */
const HOST_BINDS = ["/etc", "/opt", "/var/lib", "/var/log"].flatMap((folder) => [
  "-v",
  `${folder}:/host${folder}`,
]);

describe("a node's life on Rancher 2.x: status, down, prepare", { skip: e2e.skip }, () => {
  const world = useV3World();
  const statusOf = async (overrides?: Record<string, string>) => {
    const run = await world.cli(["status", "-o", "json"], overrides);
    return { code: run.code, result: run.json() as unknown as StatusJson, stderr: run.stderr };
  };
  const nodeOf = (cluster: V3Cluster, id: string) =>
    world.simulator.nodes(cluster.id).find((n) => n.id === id);

  async function enroll(cluster: V3Cluster): Promise<string> {
    const run = await world.cli(["up", "--cluster", cluster.name, "--node-name", "node-01", "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    return (run.json().node as { id: string }).id;
  }

  /** Runs `sh -c script` in a helper container that sees the engine's folders under /host; answers its output. */
  function onEngine(script: string): Promise<string> {
    return docker(world.testbed, [
      ...["run", "--rm", "--entrypoint", "sh", ...HOST_BINDS, world.testbed.agentImage],
      ...["-c", script],
    ]);
  }

  /** What an operator does in the UI: delete the node. */
  async function deleteOnServer(id: string): Promise<void> {
    const response = await fetch(`${world.simulator.url}/v3/nodes/${id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${world.simulator.adminToken.bearer}` },
    });
    assert.ok(response.ok, `DELETE ${id}: ${response.status}`);
  }

  it("status: not enrolled (10); active (0) with the node's state, conditions and the agent container", async () => {
    const before = await statusOf();
    assert.equal(before.code, 10, before.stderr);
    const cluster = world.cluster({ active: true });
    const id = await enroll(cluster);

    const active = await statusOf();
    assert.equal(active.code, 0, active.stderr);
    const { node, agent, enrollment, healthy } = active.result;
    assert.equal(healthy, true);
    assert.deepEqual([node?.id, node?.state], [id, "active"]);
    assert.deepEqual(
      node?.conditions
        ?.filter((c) => ["Registered", "Ready"].includes(c.type))
        .map((c) => [c.type, c.status]),
      [
        ["Registered", "True"],
        ["Ready", "True"],
      ],
    );
    assert.deepEqual([agent.present, agent.running], [true, true]);
    assert.equal(agent.image, world.testbed.registryRancher2AgentImage);
    assert.deepEqual(
      [enrollment?.serverLine, enrollment?.cluster, enrollment?.nodeId],
      ["v3", { id: cluster.id, name: cluster.name }, id],
    );

    const text = await world.cli(["status"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      new RegExp(
        `^enrolled in cluster ${cluster.name} \\(${cluster.id}\\) of .*: node ${id} \\(node-01, .*\\) is active; agent running since`,
      ),
    );
  });

  it("status: the agent container gone once the cluster runs is normal; a node unavailable or deleted is not (11)", async () => {
    const cluster = world.cluster({ active: true });
    const id = await enroll(cluster);
    // Rancher's node agent removes every io.cattle.agent=true container once the cluster runs.
    await docker(world.testbed, ["rm", "--force", AGENT]);
    const handedOver = await statusOf();
    assert.equal(handedOver.code, 0, handedOver.stderr);
    assert.deepEqual([handedOver.result.healthy, handedOver.result.agent.present], [true, false]);
    const text = await world.cli(["status"]);
    assert.match(text.stdout, /no agent container \(Rancher removes it once the cluster runs\)/);

    world.simulator.setNodeReachable(id, false);
    const unavailable = await statusOf();
    assert.equal(unavailable.code, 11, unavailable.stderr);
    assert.equal(unavailable.result.node?.state, "unavailable");
    assert.deepEqual(unavailable.result.problems.length, 2, unavailable.result.problems.join("; "));
    assert.match(unavailable.result.problems[0]!, /the rancher-enroll-agent container is missing/);
    assert.match(unavailable.result.problems[1]!, new RegExp(`node ${id} is unavailable \\(Ready: Unknown`));

    await deleteOnServer(id);
    await waitFor("node gone", async () => !nodeOf(cluster, id), { timeoutMs: 20_000 });
    const gone = await statusOf();
    assert.equal(gone.code, 11, gone.stderr);
    assert.equal(gone.result.node, null);
    assert.ok(gone.result.problems.includes(`node ${id} no longer exists on the server`));
  });

  it("status: a refused token still shows this machine, and exits 12 naming what it could not check", async () => {
    const cluster = world.cluster({ active: true });
    const id = await enroll(cluster);
    const refused = await statusOf({ RANCHER_TOKEN: `${world.simulator.adminToken.accessKey}:wrong` });
    assert.equal(refused.code, 12, refused.stderr);
    assert.deepEqual([refused.result.unchecked?.kind, refused.result.unchecked?.exitCode], ["auth", 3]);
    assert.equal(refused.result.agent.running, true);
    assert.equal(refused.result.enrollment?.nodeId, id);
  });

  it("down deletes the node, waits until it is gone, and removes the agent containers it started, no other", async () => {
    const cluster = world.cluster({ active: true });
    const id = await enroll(cluster);
    // An agent container of an interrupted earlier run (ours by its label), and a container that is not ours.
    await docker(world.testbed, [
      ...["create", "--name", "earlier-agent", "--label", "io.rancher-enroll.role=rancher-agent"],
      world.testbed.agentImage,
    ]);
    await docker(world.testbed, ["create", "--name", "not-ours", world.testbed.agentImage]);
    world.simulator.faults.keepNodesRemoving(true);
    setTimeout(() => world.simulator.faults.keepNodesRemoving(false), 1500);

    const run = await world.cli(["down", "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(nodeOf(cluster, id), undefined, "the node is gone when down ends, not merely removing");
    const result = run.json();
    assert.deepEqual(result.removedNodes, [id]);
    assert.deepEqual([...(result.removedContainers as string[])].sort(), [AGENT, "earlier-agent"].sort());
    assert.deepEqual(result.purged, []);
    const left = await docker(world.testbed, ["ps", "--all", "--format", "{{.Names}}"]);
    assert.equal(left, "not-ours");
    assert.equal((await statusOf()).code, 10, "no longer enrolled");
    assert.equal(world.requests("DELETE").length, 1);
  });

  it("down with a refused token changes nothing: the server is asked before anything here is removed", async () => {
    const cluster = world.cluster({ active: true });
    const id = await enroll(cluster);
    const refused = await world.cli(["down", "-o", "json"], {
      RANCHER_TOKEN: `${world.simulator.adminToken.accessKey}:wrong`,
    });
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(
      withoutTimestamps(refused.stderr),
      new RegExp(
        `cannot take node ${id} in cluster ${cluster.name} \\(${cluster.id}\\) of .*; nothing was changed`,
      ),
    );
    assert.equal(await docker(world.testbed, ["inspect", "-f", "{{.State.Running}}", AGENT]), "true");
    assert.equal(nodeOf(cluster, id)?.removing, false);
    assert.equal(world.requests("DELETE").length, 0);
    assert.equal((await statusOf()).code, 0, "still enrolled and active");
  });

  it("down that cannot see the node go within --timeout ends with 7, the agent stopped and the record kept", async () => {
    const cluster = world.cluster({ active: true });
    const id = await enroll(cluster);
    world.simulator.faults.keepNodesRemoving(true);
    const stuck = await world.cli(["down", "--timeout", "4"]);
    assert.equal(stuck.code, 7, stuck.stderr);
    assert.match(
      withoutTimestamps(stuck.stderr),
      new RegExp(`node ${id} is still on the server \\(removing`),
    );
    assert.equal(await docker(world.testbed, ["inspect", "-f", "{{.State.Running}}", AGENT]), "false");
    world.simulator.faults.keepNodesRemoving(false);
    const again = await world.cli(["down", "-o", "json"]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(await world.containers(), []);
  });

  it("down --purge also does Rancher's RKE1 node clean-up, and says exactly what it removed", async () => {
    const cluster = world.cluster({ active: true });
    await enroll(cluster);
    // What RKE leaves on a node: its containers (one with a volume), kubelet's pod containers, its folders.
    for (const [name, ...more] of [["kubelet"], ["etcd", "-v", "/data"], ["k8s_POD_web-0_default"]])
      await docker(world.testbed, ["create", "--name", name!, ...more, world.testbed.agentImage]);
    const volume = await docker(world.testbed, [
      "inspect",
      "-f",
      "{{range .Mounts}}{{.Name}}{{end}}",
      "etcd",
    ]);
    await docker(world.testbed, ["create", "--name", "not-ours", world.testbed.agentImage]);
    const folders = ["/etc/kubernetes/ssl", "/var/lib/etcd/member", "/opt/rke/etc", "/var/log/pods/web-0"];
    await onEngine(`mkdir -p ${folders.map((f) => `/host${f}`).join(" ")} /host/opt/keep`);

    const run = await world.cli(["down", "--purge", "-o", "json"]);
    assert.equal(run.code, 0, run.stderr);
    const purged = run.json().purged as string[];
    assert.deepEqual([...purged].sort(), [
      "/etc/kubernetes",
      "/opt/rke",
      "/var/lib/etcd",
      "/var/lib/rancher",
      "/var/log/pods",
      "container etcd",
      "container k8s_POD_web-0_default",
      "container kubelet",
      `volume ${volume}`,
    ]);
    assert.equal(await docker(world.testbed, ["ps", "--all", "--format", "{{.Names}}"]), "not-ours");
    const still = await onEngine(
      "for p in /etc/kubernetes /var/lib/etcd /opt/rke /var/log/pods /opt/keep; do [ -e /host$p ] && echo $p; done; true",
    );
    assert.equal(still, "/opt/keep", "only what is not RKE's stays");
    assert.doesNotMatch(await docker(world.testbed, ["volume", "ls", "--quiet"]), new RegExp(volume));
  });

  it("prepare for a Packer image: the cluster's agent image pulled without creating a token; --clean leaves no node behind", async () => {
    const cluster = world.cluster({ active: true, defaultToken: false });
    const image = world.testbed.registryRancher2AgentImage;
    await tryDocker(world.testbed, ["rmi", "--force", image]);
    const pull = await world.cli(["prepare", "--cluster", cluster.name, "-o", "json"]);
    assert.equal(pull.code, 0, pull.stderr);
    assert.deepEqual([pull.json().image, pull.json().imagePulled], [image, true]);
    assert.equal(world.requests("POST").length, 0, "no token created");
    assert.equal(world.simulator.registrationTokens(cluster.id).length, 0);

    // The image build tried the enrollment once; --clean (the image build's last step, without the server's
    // settings) then leaves nothing of that node in the image.
    const tried = world.cluster({ active: true });
    await enroll(tried);
    await onEngine("mkdir -p /host/etc/kubernetes/ssl /host/var/lib/kubelet");
    const { DOCKER_HOST, RANCHER_ENROLL_STATE_DIR } = world.env();
    const clean = await runCli(["prepare", "--clean", "-o", "json"], {
      DOCKER_HOST,
      RANCHER_ENROLL_STATE_DIR,
    });
    assert.equal(clean.code, 0, clean.stderr);
    const result = clean.json() as { removedContainers: string[]; purged: string[] };
    assert.deepEqual(result.removedContainers, [AGENT]);
    for (const path of [
      "/etc/kubernetes",
      "/var/lib/kubelet",
      "/var/lib/rancher",
      `${RANCHER_ENROLL_STATE_DIR}/enrollment.json`,
    ])
      assert.ok(result.purged.includes(path), `${path} in ${result.purged.join(", ")}`);
    assert.deepEqual(await world.containers(), []);
    assert.equal((await statusOf()).code, 10, "no enrollment record left");
    assert.equal(
      world.simulator.nodes(tried.id).length,
      1,
      "without the server's settings, nothing asked of it",
    );
  });
});
