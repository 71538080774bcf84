import { mustRun, runCommand } from "./command.js";

export interface Bridge {
  name: string;
  /** The bridge's own address: the machine as seen from containers on it. */
  ip: string;
}

const LAST_SUBNET = 200;

/**
 * Creates a Linux bridge on the first free 172.29.N.0/24 (N = 0..200). The name encodes N, so a test bed
 * started concurrently on the same machine loses the race for `ip link add` and moves on to the next N.
 */
export async function createBridge(): Promise<Bridge> {
  const used = await ipv4AddressesInUse();
  for (let n = 0; n <= LAST_SUBNET; n++) {
    if (used.some((address) => address.startsWith(`172.29.${n}.`))) continue;
    const bridge = { name: `rtestbed${n}`, ip: `172.29.${n}.1` };
    const added = await runCommand("ip", ["link", "add", "name", bridge.name, "type", "bridge"]);
    if (added.stderr.includes("File exists")) continue;
    if (added.code !== 0) throw new Error(`ip link add ${bridge.name} failed: ${added.stderr.trim()}`);
    try {
      await mustRun("ip", ["addr", "add", `${bridge.ip}/24`, "dev", bridge.name]);
      await mustRun("ip", ["link", "set", bridge.name, "up"]);
    } catch (error) {
      await deleteBridge(bridge.name);
      throw error;
    }
    return bridge;
  }
  throw new Error(`no free bridge: 172.29.0.0/24 to 172.29.${LAST_SUBNET}.0/24 are all in use`);
}

export async function deleteBridge(name: string): Promise<void> {
  await mustRun("ip", ["link", "delete", name]);
}

async function ipv4AddressesInUse(): Promise<string[]> {
  const output = await mustRun("ip", ["-o", "-4", "addr", "show"]);
  return [...output.matchAll(/\binet (\S+)\//g)].map((match) => match[1] ?? "");
}
