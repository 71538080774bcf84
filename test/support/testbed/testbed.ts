import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publishAgentImage } from "./agent-image.js";
import { Cleanup } from "./cleanup.js";
import type { Engine } from "./engine.js";
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
 * Starts a private Docker engine, an image registry, and the fake rancher/agent image, built on the engine and
 * pushed to the registry. stop() undoes all of it. An engine named by DOCKER_HOST is never used: its agents would
 * bind-mount this machine's own /var/lib/rancher, /etc/kubernetes and /var/run.
 */
export async function startTestbed(): Promise<Testbed> {
  const dir = await mkdtemp(join(tmpdir(), "rancher-enroll-testbed-"));
  const cleanup = new Cleanup();
  cleanup.add(() => rm(dir, { recursive: true, force: true }));
  try {
    const engine = await privateEngine(dir, cleanup);
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
