import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "./net.js";
import { startDaemon } from "./process.js";
import { waitFor } from "./wait.js";

export interface Registry {
  /** host:port, as used in image names. */
  address: string;
  stop(): Promise<void>;
}

/** Starts Debian's docker-registry (distribution 2.x) on a free 127.0.0.1 port, storing under `dir`. */
export async function startRegistry(dir: string): Promise<Registry> {
  await mkdir(join(dir, "storage"), { recursive: true });
  const address = `127.0.0.1:${await freePort("127.0.0.1")}`;
  const config = join(dir, "config.yml");
  await writeFile(config, registryConfig(address, join(dir, "storage")));
  const daemon = await startDaemon("docker-registry", ["serve", config], join(dir, "registry.log"));
  try {
    await waitFor(`registry at ${address} did not start`, () => answers(`http://${address}/v2/`), {
      timeoutMs: 30_000,
      abort: daemon.exitReason,
    });
  } catch (error) {
    const tail = await daemon.logTail();
    await daemon.stop();
    throw new Error(`${(error as Error).message}\n--- registry log (tail) ---\n${tail}`);
  }
  return { address, stop: () => daemon.stop() };
}

function registryConfig(address: string, storage: string): string {
  return [
    "version: 0.1",
    "log:",
    "  level: warn",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${JSON.stringify(storage)}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: ${address}`,
    "",
  ].join("\n");
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}
