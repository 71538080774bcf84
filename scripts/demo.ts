// Runs `rancher-enroll up` as a user would, against the Rancher simulator and a private Docker engine whose
// registry serves the (fake) agent image, so the whole path shows: token, pull, bootstrap, host active.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator } from "../test/support/simulator/index.js";
import { tryDocker } from "../test/support/testbed/engine.js";
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
try {
  await tryDocker(testbed, ["rmi", "--force", testbed.registryAgentImage, testbed.agentImage]);
  console.error(`Rancher 1.6 simulator at ${simulator.url}, private Docker engine at ${testbed.dockerHost}`);
  // The demo's own state and profile files: this machine's (/var/lib/rancher-enroll, /etc/rancher-enroll for
  // root) are never read or written, so the demo leaves no enrollment behind to block a real `up`.
  const env = {
    RANCHER_ENROLL_STATE_DIR: join(demoDir, "state"),
    RANCHER_ENROLL_CONFIG_FILE: join(demoDir, "config"),
    RANCHER_ENROLL_CREDENTIALS_FILE: join(demoDir, "credentials"),
    DOCKER_HOST: testbed.dockerHost,
    RANCHER_URL: `${simulator.url}/v2-beta/projects/${simulator.defaultProject.id}`,
    RANCHER_ACCESS_KEY: simulator.environmentKey.accessKey,
    RANCHER_SECRET_KEY: simulator.environmentKey.secretKey,
  };
  process.exitCode = await enroll(["up", "--label", "demo=true", "--output", "json"], env);
  const hosts = simulator
    .hosts(simulator.defaultProject.id)
    .map(({ id, hostname, state, agentState }) => ({ id, hostname, state, agentState }));
  console.error(`\nThe simulator's hosts: ${JSON.stringify(hosts)}`);
} finally {
  await simulator.close();
  await testbed.stop();
  await rm(demoDir, { recursive: true, force: true });
}
