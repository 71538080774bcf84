import { mkdir, mkdtemp, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publishAgentImage } from "./agent-image.js";
import { Cleanup } from "./cleanup.js";
import { docker, type Engine } from "./engine.js";
import { startPrivateEngine } from "./private-engine.js";
import { startRegistry } from "./registry.js";

export interface TestbedInfo extends Engine {
  /** The machine's address on the engine's bridge: where containers reach servers that tests start. */
  bridgeIp: string;
  /** host:port of the image registry (127.0.0.1, plain HTTP). */
  registry: string;
  agentImage: string;
  registryAgentImage: string;
  rancher2AgentImage: string;
  registryRancher2AgentImage: string;
}

export interface Testbed extends TestbedInfo {
  stop(): Promise<void>;
}

interface TestbedEngine extends Engine {
  bridgeIp: string;
}

/**
 * Starts a private Docker engine (or adopts the one DOCKER_HOST names), an image registry, and the fake
 * rancher/agent image, built on the engine and pushed to the registry. stop() undoes all of it.
 */
export async function startTestbed(): Promise<Testbed> {
  const dir = await mkdtemp(join(tmpdir(), "rancher-enroll-testbed-"));
  const cleanup = new Cleanup();
  cleanup.add(() => rm(dir, { recursive: true, force: true }));
  try {
    const external = process.env.DOCKER_HOST;
    const engine = external ? await adoptEngine(external, cleanup) : await privateEngine(dir, cleanup);
    const registry = await startRegistry(join(dir, "registry"));
    cleanup.add(registry.stop);
    const images = await publishAgentImage(engine, registry.address, join(dir, "image"));
    return { ...engine, registry: registry.address, ...images, stop: () => cleanup.run() };
  } catch (error) {
    await cleanup.run().catch((cleanupError: Error) => console.error(cleanupError.message));
    throw error;
  }
}

async function privateEngine(dir: string, cleanup: Cleanup): Promise<TestbedEngine> {
  const { stop, ...engine } = await startPrivateEngine(dir);
  cleanup.add(stop);
  return engine;
}

const MACHINE_RANCHER_DIR = "/var/lib/rancher";

/**
 * An engine we did not start mounts the machine's own /var/lib/rancher into agents: set the machine's copy
 * aside for the duration of the tests and put it back afterwards.
 */
async function adoptEngine(dockerHost: string, cleanup: Cleanup): Promise<TestbedEngine> {
  const bridgeIp = await docker({ dockerHost }, [
    ...["network", "inspect", "bridge", "--format"],
    "{{range .IPAM.Config}}{{.Gateway}}{{end}}",
  ]);
  const backup = `${MACHINE_RANCHER_DIR}.testbed-backup-${process.pid}`;
  const existed = await stat(MACHINE_RANCHER_DIR).then(
    () => true,
    () => false,
  );
  if (existed) await rename(MACHINE_RANCHER_DIR, backup);
  cleanup.add(async () => {
    await rm(MACHINE_RANCHER_DIR, { recursive: true, force: true });
    if (existed) await rename(backup, MACHINE_RANCHER_DIR);
  });
  await mkdir(MACHINE_RANCHER_DIR);
  return { dockerHost, bridgeIp, rancherDir: MACHINE_RANCHER_DIR };
}
