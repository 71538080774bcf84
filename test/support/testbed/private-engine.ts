import { join } from "node:path";
import { createBridge, deleteBridge } from "./bridge.js";
import { Cleanup } from "./cleanup.js";
import { startPrivateDockerd } from "./dockerd.js";
import type { Engine } from "./engine.js";
import { writePrivilegedRuntime } from "./privileged-runtime.js";

export interface PrivateEngine extends Engine {
  /** The machine's address on the engine's bridge: where its containers reach servers on this machine. */
  bridgeIp: string;
  /** Stops the daemon and deletes its bridge; the caller owns `dir`. */
  stop(): Promise<void>;
}

/**
 * A Docker engine of its own, as if on a machine of its own: a bridge, a dockerd in a private mount namespace
 * (so /var/run/docker.sock and /var/lib/rancher are its own, the latter `dir`/rancher) that runs
 * `--privileged` containers in this sandbox.
 */
export async function startPrivateEngine(dir: string): Promise<PrivateEngine> {
  const cleanup = new Cleanup();
  try {
    const bridge = await createBridge();
    cleanup.add(() => deleteBridge(bridge.name));
    const rancherDir = join(dir, "rancher");
    const dockerd = await startPrivateDockerd({
      dir,
      rancherDir,
      bridge: bridge.name,
      runtime: await writePrivilegedRuntime(dir),
    });
    cleanup.add(dockerd.stop);
    return {
      dockerHost: `unix://${dockerd.socket}`,
      bridgeIp: bridge.ip,
      rancherDir,
      stop: () => cleanup.run(),
    };
  } catch (error) {
    await cleanup.run().catch((cleanupError: Error) => console.error(cleanupError.message));
    throw error;
  }
}
