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
 * The bridge keeps a port of its own (a veth pair) so that it has a carrier, as a machine's NIC does, even when
 * no container is attached: without one the kernel marks it NO-CARRIER and Node's networkInterfaces() (libuv
 * lists only running interfaces) no longer shows it.
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
      await keepCarrier(bridge.name);
    } catch (error) {
      await deleteBridge(bridge.name);
      throw error;
    }
    return bridge;
  }
  throw new Error(`no free bridge: 172.29.0.0/24 to 172.29.${LAST_SUBNET}.0/24 are all in use`);
}

export async function deleteBridge(name: string): Promise<void> {
  await runCommand("ip", ["link", "delete", portOf(name)]);
  await mustRun("ip", ["link", "delete", name]);
}

const portOf = (bridge: string) => `${bridge}p`;

async function keepCarrier(bridge: string): Promise<void> {
  const port = portOf(bridge);
  await mustRun("ip", ["link", "add", port, "type", "veth", "peer", "name", `${bridge}q`]);
  await mustRun("ip", ["link", "set", port, "master", bridge]);
  for (const end of [port, `${bridge}q`]) await mustRun("ip", ["link", "set", end, "up"]);
}

async function ipv4AddressesInUse(): Promise<string[]> {
  const output = await mustRun("ip", ["-o", "-4", "addr", "show"]);
  return [...output.matchAll(/\binet (\S+)\//g)].map((match) => match[1] ?? "");
}
