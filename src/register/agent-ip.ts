import { validateAgentIp } from "../config/validate.js";
import { EnrollError } from "../errors.js";

interface NetworkInterface {
  iface: string;
  ip4: string;
}

async function interfaces(): Promise<NetworkInterface[]> {
  const { networkInterfaces } = await import("systeminformation");
  const found = await networkInterfaces();
  return Array.isArray(found) ? found : [found];
}

/** The IPv4 address of the named interface, checked as the agent checks CATTLE_AGENT_IP. */
export async function interfaceAddress(name: string): Promise<string> {
  const all = await interfaces();
  const chosen = all.find((candidate) => candidate.iface === name);
  if (!chosen) {
    throw new EnrollError(
      "usage",
      `no network interface named "${name}"; this machine has: ${all.map((i) => i.iface).join(", ")}`,
    );
  }
  if (!chosen.ip4)
    throw new EnrollError(
      "usage",
      `network interface ${name} has no IPv4 address`,
      "Choose another with --agent-interface, or give --agent-ip.",
    );
  return validateAgentIp(chosen.ip4);
}

/** The interface that holds the default route, and its IPv4 address, when the machine has one. */
export async function defaultRoute(): Promise<NetworkInterface | undefined> {
  const { networkInterfaceDefault } = await import("systeminformation");
  const name = await networkInterfaceDefault();
  return (await interfaces()).find((candidate) => candidate.iface === name && candidate.ip4);
}
