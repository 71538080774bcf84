// The two halves of the 2.x test bed against each other: the fake rancher/rancher-agent, started through the
// private engine as the v3 simulator's node command says (HTTPS with a private CA, so the CA checksum and the
// agent's certificate check are real), registers its node through the simulator's tunnel; the node becomes
// active once the cluster has every role, and the agent holds its websocket open.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TestCertificates } from "../support/certificates.js";
import { machineName, startV3Simulator, type V3Simulator } from "../support/simulator/v3/index.js";
import { e2eTestbed } from "../support/testbed/env.js";
import { docker, resetEngine, tryDocker } from "../support/testbed/engine.js";
import type { TestbedInfo } from "../support/testbed/testbed.js";
import { waitFor } from "../support/testbed/wait.js";
import { httpsGet } from "../simulator/v3-helpers.js";

const e2e = e2eTestbed();

/** `sudo docker run <options> <image> <args>`: the engine's options, the image and the agent's arguments. */
function splitNodeCommand(command: string): { options: string[]; image: string; args: string[] } {
  const words = command.split(/\s+/).filter(Boolean);
  assert.deepEqual(words.slice(0, 3), ["sudo", "docker", "run"]);
  const options: string[] = [];
  let i = 3;
  for (; i < words.length && (words[i] as string).startsWith("-"); i++) {
    options.push(words[i] as string);
    if (words[i] === "-v" || words[i] === "-e") options.push(words[++i] as string);
  }
  return { options, image: words[i] as string, args: words.slice(i + 1) };
}

describe("v3 simulator and the fake rancher/rancher-agent", { skip: e2e.skip }, () => {
  const pki = new TestCertificates();
  let testbed: TestbedInfo;
  let sim: V3Simulator;
  let ca: string;

  before(async () => {
    testbed = e2e.testbed();
    await resetEngine(testbed);
    const authority = pki.authority("v3 test ca");
    ca = authority.cert;
    const server = pki.server({ commonName: "rancher.test", ips: [testbed.bridgeIp] }, authority);
    sim = await startV3Simulator({
      host: testbed.bridgeIp,
      tls: { key: server.key, cert: server.cert },
      cacerts: ca,
      timings: { nodeInitializingMs: 100, clusterProvisioningMs: 500, nodeRegisteringMs: 300 },
    });
  });
  after(async () => {
    await resetEngine(testbed);
    await sim.close();
    pki.remove();
  });

  it("runs the node command: the agent checks the CA, registers its node, and the node becomes active", async () => {
    const cluster = sim.cluster("dev-rke1");
    const token = await httpsGet(`${sim.url}/v3/clusterregistrationtokens/${cluster.id}:default-token`, {
      ca,
      headers: { Authorization: `Bearer ${sim.adminToken.bearer}` },
    });
    assert.equal(token.status, 200);
    const { options, image, args } = splitNodeCommand(JSON.parse(token.text).nodeCommand);
    assert.equal(image, testbed.rancher2AgentImage);
    assert.ok(args.includes("--ca-checksum"));
    await docker(testbed, [
      ...["run", "-d", "--name", "agent", ...options, image, ...args],
      ...["--node-name", "Node-01", "--address", "10.0.0.11", "--etcd", "--controlplane", "--worker"],
      ...["--label", "zone=a", "--taints", "dedicated=infra:NoSchedule"],
    ]);
    const nodeId = `${cluster.id}:${machineName("Node-01")}`;
    const node = () => sim.nodes(cluster.id).find((n) => n.id === nodeId);
    await waitFor("the agent to register its node", async () => node() !== undefined, {
      timeoutMs: 30_000,
    }).catch(async (error: Error) => {
      const { stdout, stderr } = await tryDocker(testbed, ["logs", "agent"]);
      throw new Error(`${error.message}\nagent output:\n${stdout}${stderr}`);
    });
    await waitFor("the node to become active", async () => node()?.nodeName === "node-01", {
      timeoutMs: 20_000,
    });
    const registered = node();
    assert.ok(registered);
    assert.deepEqual([registered.etcd, registered.controlPlane, registered.worker], [true, true, true]);
    assert.equal(registered.customConfig.address, "10.0.0.11");
    assert.deepEqual(registered.customConfig.label, { zone: "a" });
    assert.deepEqual(registered.customConfig.taints, ["dedicated=infra:NoSchedule"]);
    assert.equal(registered.agent.sessions, 1, "the agent holds its websocket");
    assert.ok(
      sim.requests.some((r) => r.path === "/v3/connect/register" && r.status === 101),
      "registered through a websocket upgrade",
    );
    await waitFor(
      "the agent to be given its plan",
      async () => sim.requests.some((r) => r.path === "/v3/connect/config" && r.status === 200),
      { timeoutMs: 40_000, intervalMs: 500 },
    );
  });
});
