// The 2.x node agent against a real engine and the v3 simulator: it launches the cluster's node command as a
// long-lived container (plus the node's options), the node registers; remove takes only what it started; purge
// does Rancher's RKE1 node clean-up through the engine and says exactly what went.
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { after, before, beforeEach, describe, it } from "node:test";
import Docker from "dockerode";
import { pino } from "pino";
import { parseNodeCommand } from "../../src/agents/node-command.js";
import { RancherAgent } from "../../src/agents/rancher-agent.js";
import { Deadline } from "../../src/deadline.js";
import type { JoinSpec, NodeOptions } from "../../src/flows/seam.js";
import { e2e, FAST_V3_TIMINGS } from "../support/e2e-v3.js";
import { startV3Simulator, type V3Simulator } from "../support/simulator/v3/index.js";
import { docker, resetEngine, tryDocker } from "../support/testbed/engine.js";
import type { TestbedInfo } from "../support/testbed/testbed.js";
import { waitFor } from "../support/testbed/wait.js";

describe("the rancher-agent node agent", { skip: e2e.skip }, () => {
  let testbed: TestbedInfo;
  let simulator: V3Simulator;
  let agent: RancherAgent;
  const warnings: string[] = [];

  before(async () => {
    testbed = e2e.testbed();
    simulator = await startV3Simulator({
      host: testbed.bridgeIp,
      agentImage: testbed.rancher2AgentImage,
      timings: FAST_V3_TIMINGS,
    });
    const log = pino({ level: "warn" }, { write: (line: string) => warnings.push(line) });
    const machine = { docker: new Docker(), log, waitForDockerSeconds: 5, onPullProgress: () => undefined };
    agent = new RancherAgent(machine);
  });
  beforeEach(() => resetEngine(testbed));
  after(async () => {
    await simulator.close();
    await resetEngine(testbed);
  });

  const deadline = () => new Deadline(60);
  async function join(clusterName: string): Promise<JoinSpec> {
    const cluster = simulator.addCluster({ name: clusterName });
    const token = simulator.addRegistrationToken(cluster.id);
    const [crt] = simulator.registrationTokens(cluster.id).filter((t) => t.id === token.id);
    await waitFor("no node command", async () => Boolean(crt?.commandsReady), { timeoutMs: 5000 });
    const response = await fetch(`${simulator.url}/v3/clusterregistrationtokens/${token.id}`, {
      headers: { authorization: `Bearer ${simulator.adminToken.bearer}` },
    });
    const command = ((await response.json()) as { nodeCommand: string }).nodeCommand;
    const parsed = parseNodeCommand(command);
    return { id: token.id, secret: token.token, command, image: parsed.image };
  }
  const options: NodeOptions = {
    nodeName: "Agent-Test-01",
    address: "10.0.0.11",
    internalAddress: "192.168.0.11",
    roles: ["etcd", "controlplane", "worker"],
    labels: { zone: "a" },
    taints: ["dedicated=infra:NoSchedule"],
    env: {},
  };

  it("launches the node command as a long-lived container; the node registers with its options", async () => {
    const spec = await join("agent-install");
    const plan = await agent.describe(spec, options);
    assert.ok(plan.command && !plan.command.includes(spec.secret), "the dry-run line masks the token");
    assert.equal(plan.image, testbed.rancher2AgentImage);
    assert.deepEqual(await agent.names(options), ["agent-test-01"]);
    assert.ok(
      warnings.some((line) =>
        line.includes('node name \\"Agent-Test-01\\" lower-cased to \\"agent-test-01\\"'),
      ),
      "it says that it lower-cased the node name",
    );

    await agent.install(spec, options, deadline());
    const [container] = JSON.parse(await docker(testbed, ["inspect", "rancher-enroll-agent"])) as [
      {
        Args: string[];
        Config: { Image: string; Labels: Record<string, string>; Env: string[] };
        HostConfig: {
          Privileged: boolean;
          NetworkMode: string;
          RestartPolicy: { Name: string };
          Binds: string[];
        };
      },
    ];
    assert.equal(container.Config.Image, testbed.rancher2AgentImage);
    assert.equal(container.HostConfig.Privileged, true);
    assert.equal(container.HostConfig.NetworkMode, "host");
    assert.equal(container.HostConfig.RestartPolicy.Name, "unless-stopped");
    assert.deepEqual(container.HostConfig.Binds, ["/etc/kubernetes:/etc/kubernetes", "/var/run:/var/run"]);
    assert.equal(container.Config.Labels["io.rancher-enroll.role"], "rancher-agent");
    assert.ok(
      !container.Config.Env.some((variable) => variable.includes(spec.secret)),
      "no token in its env",
    );
    assert.deepEqual(container.Args.slice(-13), [
      ...["--node-name", "agent-test-01", "--address", "10.0.0.11", "--internal-address", "192.168.0.11"],
      ...[
        "--etcd",
        "--controlplane",
        "--worker",
        "--label",
        "zone=a",
        "--taints",
        "dedicated=infra:NoSchedule",
      ],
    ]);

    const cluster = simulator.cluster("agent-install");
    await waitFor("the node did not register", async () => simulator.nodes(cluster.id).length > 0, {
      timeoutMs: 20_000,
    });
    const [node] = simulator.nodes(cluster.id);
    assert.equal(node?.requestedHostname, "agent-test-01");
    assert.deepEqual(node?.customConfig, {
      address: "10.0.0.11",
      internalAddress: "192.168.0.11",
      label: { zone: "a" },
      taints: ["dedicated=infra:NoSchedule"],
    });
    assert.deepEqual([node?.etcd, node?.controlPlane, node?.worker], [true, true, true]);
    assert.deepEqual(await agent.inspect(), {
      present: true,
      running: true,
      image: testbed.rancher2AgentImage,
      startedAt: (await agent.inspect()).startedAt,
    });
  });

  it("install replaces its own earlier container; remove takes only the containers it started", async () => {
    const spec = await join("agent-remove");
    await agent.install(spec, options, deadline());
    const first = await docker(testbed, ["inspect", "-f", "{{.Id}}", "rancher-enroll-agent"]);
    await agent.install(spec, options, deadline());
    const second = await docker(testbed, ["inspect", "-f", "{{.Id}}", "rancher-enroll-agent"]);
    assert.notEqual(second, first);
    await docker(testbed, [
      "run",
      "-d",
      "--name",
      "bystander",
      "--entrypoint",
      "sleep",
      spec.image ?? "",
      "600",
    ]);

    assert.deepEqual(await agent.remove(deadline()), ["rancher-enroll-agent"]);
    assert.deepEqual(await agent.inspect(), { present: false, running: false });
    assert.equal(await docker(testbed, ["inspect", "-f", "{{.State.Running}}", "bystander"]), "true");
  });

  it("purge removes RKE's containers and the directories the docs list, through the engine, and says which", async () => {
    const image = testbed.rancher2AgentImage;
    const sleeper = (name: string, ...options: string[]) =>
      docker(testbed, ["run", "-d", "--name", name, ...options, "--entrypoint", "sleep", image, "600"]);
    await sleeper("kubelet", "-v", "/data");
    await sleeper("k8s_POD_nginx_default_1");
    await docker(testbed, ["create", "--name", "unrelated", testbed.agentImage, "http://x/v1"]);
    const planted = ["/etc/kubernetes/ssl", "/var/lib/etcd/member", "/opt/rke/etc", "/var/log/pods/x"];
    await docker(testbed, [
      ...["run", "--rm", "-v", "/etc:/h/etc", "-v", "/var:/h/var", "-v", "/opt:/h/opt", "--entrypoint", "sh"],
      ...[image, "-c", `for p in ${planted.join(" ")}; do mkdir -p /h$p && touch /h$p/f; done`],
    ]);
    const volume = await docker(testbed, ["inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", "kubelet"]);

    const removed = await agent.purge([image], deadline());
    assert.deepEqual([...removed].sort(), [
      "/etc/kubernetes",
      "/opt/rke",
      "/var/lib/etcd",
      "/var/lib/rancher",
      "/var/log/pods",
      "container k8s_POD_nginx_default_1",
      "container kubelet",
      `volume ${volume}`,
    ]);
    const left = await tryDocker(testbed, [
      ...["run", "--rm", "-v", "/etc:/h/etc", "-v", "/var:/h/var", "-v", "/opt:/h/opt", "--entrypoint", "sh"],
      ...[
        image,
        "-c",
        "ls -d /h/etc/kubernetes /h/var/lib/etcd /h/opt/rke /h/var/log/pods 2>/dev/null; ls -d /h/etc/hostname",
      ],
    ]);
    assert.equal(left.stdout.trim(), "/h/etc/hostname", "only the listed directories went");
    assert.equal(await docker(testbed, ["inspect", "-f", "{{.Name}}", "unrelated"]), "/unrelated");

    // The test bed recovers: the engine's /var/lib/rancher is the test bed's folder again for the next tests.
    await resetEngine(testbed);
    await docker(testbed, [
      ...["run", "--rm", "-v", "/var/lib/rancher:/r", "--entrypoint", "touch", image, "/r/probe"],
    ]);
    assert.deepEqual(await readdir(testbed.rancherDir), ["probe"]);
  });
});
