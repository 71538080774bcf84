// Runs `rancher-enroll up` as a user would, against the Rancher simulators and a private Docker engine whose
// registry serves the (fake) agent images, so the whole path shows: on Rancher 1.6 token, pull, bootstrap, host
// active; on Rancher 2.x (RKE1 custom cluster) token, pull, rancher-agent, node registered and active.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "../test/support/simulator/index.js";
import { startV3Simulator } from "../test/support/simulator/v3/index.js";
import { resetEngine, tryDocker } from "../test/support/testbed/engine.js";
import { startTestbed } from "../test/support/testbed/testbed.js";

function enroll(args: string[], env: Record<string, string>): Promise<number> {
  console.error(`\n$ rancher-enroll ${args.join(" ")}`);
  const child = spawn(process.execPath, ["dist/cli.js", ...args], {
    stdio: "inherit",
    env: { ...process.env, ...env },
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
}

const demoDir = await mkdtemp(join(tmpdir(), "rancher-enroll-demo-"));
const testbed = await startTestbed();
const simulator = await startSimulator({ host: testbed.bridgeIp, agentImage: testbed.registryAgentImage });
const rancher2 = await startV3Simulator({
  host: testbed.bridgeIp,
  agentImage: testbed.registryRancher2AgentImage,
});
try {
  await tryDocker(testbed, ["rmi", "--force", testbed.registryAgentImage, testbed.agentImage]);
  await tryDocker(testbed, ["rmi", "--force", testbed.registryRancher2AgentImage]);
  console.error(`Rancher 1.6 simulator at ${simulator.url}, private Docker engine at ${testbed.dockerHost}`);
  // The demo's own state and profile files: this machine's (/var/lib/rancher-enroll, /etc/rancher-enroll for
  // root) are never read or written, so the demo leaves no enrollment behind to block a real `up`.
  const privateFiles = (name: string) => ({
    RANCHER_ENROLL_STATE_DIR: join(demoDir, name, "state"),
    RANCHER_ENROLL_CONFIG_FILE: join(demoDir, name, "config"),
    RANCHER_ENROLL_CREDENTIALS_FILE: join(demoDir, name, "credentials"),
    DOCKER_HOST: testbed.dockerHost,
  });
  const env = {
    ...privateFiles("rancher1"),
    RANCHER_URL: `${simulator.url}/v2-beta/projects/${simulator.defaultProject.id}`,
    RANCHER_ACCESS_KEY: simulator.environmentKey.accessKey,
    RANCHER_SECRET_KEY: simulator.environmentKey.secretKey,
  };
  process.exitCode = await enroll(["up", "--label", "demo=true", "--output", "json"], env);
  const hosts = simulator
    .hosts(simulator.defaultProject.id)
    .map(({ id, hostname, state, agentState }) => ({ id, hostname, state, agentState }));
  console.error(`\nThe simulator's hosts: ${JSON.stringify(hosts)}`);

  // Rancher 2.x: the same engine, cleaned, as a second machine; the first node of a new RKE1 custom cluster
  // takes every role (Rancher provisions nothing before etcd, controlplane and worker each have a node).
  await resetEngine(testbed);
  console.error(`\nRancher ${rancher2.version} simulator at ${rancher2.url}, the same engine, cleaned`);
  const cluster = rancher2.cluster("dev-rke1");
  const env2 = {
    ...privateFiles("rancher2"),
    RANCHER_URL: rancher2.url,
    RANCHER_TOKEN: rancher2.adminToken.bearer,
  };
  const roles = ["--role", "etcd", "--role", "controlplane", "--role", "worker"];
  const code2 = await enroll(
    ["up", "--cluster", cluster.name, ...roles, "--label", "demo=true", "-o", "json"],
    env2,
  );
  if (process.exitCode === 0) process.exitCode = code2;
  const nodes = rancher2
    .nodes(cluster.id)
    .map(({ id, requestedHostname, nodeName, etcd, controlPlane, worker }) => ({
      id,
      requestedHostname,
      nodeName,
      roles: { etcd, controlPlane, worker },
    }));
  console.error(`\nThe 2.x simulator's nodes in ${cluster.name}: ${JSON.stringify(nodes)}`);
} finally {
  await simulator.close();
  await rancher2.close();
  await testbed.stop();
  await rm(demoDir, { recursive: true, force: true });
}
