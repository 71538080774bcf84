import { access, readFile } from "node:fs/promises";
import { networkInterfaces } from "node:os";
import { validateAgentIp } from "../config/validate.js";
import { EnrollError } from "../errors.js";
import type { Logger } from "../log.js";

interface NetworkInterface {
  iface: string;
  ip4: string;
}

/** The kernel's routing table: a default route has destination 0.0.0.0 (`00000000`). */
const ROUTES = "/proc/net/route";

/** The interfaces with an IPv4 address, as the kernel lists them (instant, unlike probing every device). */
function interfaces(): NetworkInterface[] {
  return Object.entries(networkInterfaces()).flatMap(([iface, addresses]) => {
    const ip4 = addresses?.find((address) => address.family === "IPv4")?.address;
    return ip4 ? [{ iface, ip4 }] : [];
  });
}

/** The IPv4 address of the named interface, checked as the agent checks CATTLE_AGENT_IP. */
export async function interfaceAddress(name: string): Promise<string> {
  const all = interfaces();
  const chosen = all.find((candidate) => candidate.iface === name);
  if (!chosen) {
    const exists =
      !name.includes("/") &&
      (await access(`/sys/class/net/${name}`).then(
        () => true,
        () => false,
      ));
    const what = exists
      ? `network interface "${name}" is down (no carrier) or has no IPv4 address`
      : `no network interface named "${name}"`;
    throw new EnrollError(
      "usage",
      `${what}; this machine has: ${all.map((i) => i.iface).join(", ")}`,
      "Only interfaces with an IPv4 address count: choose one with --agent-interface, or give --agent-ip.",
    );
  }
  return validateAgentIp(chosen.ip4);
}

/** The interface that holds the default route, and its IPv4 address, when the machine has one. */
async function defaultRoute(): Promise<NetworkInterface | undefined> {
  const table = await readFile(ROUTES, "utf8").catch(() => "");
  const name = table
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .find((fields) => fields[1] === "00000000")?.[0];
  return interfaces().find((candidate) => candidate.iface === name);
}

/** Without an agent IP the agent registers the address the server sees: say which, and where the route goes. */
export async function explainAgentIp(
  address: string | undefined,
  serverSees: string | undefined,
  log: Logger,
): Promise<void> {
  if (address) {
    log.info({ agentIp: address }, `the agent will register ${address}`);
    return;
  }
  const route = await defaultRoute();
  const sees = serverSees ?? "unknown";
  const routeText = route
    ? `the default route is on ${route.iface} (${route.ip4})`
    : "this machine has no default route";
  log.info(
    { serverSees: sees, defaultRoute: route },
    `no agent IP given: the agent will register the address the server sees, ${sees}; ${routeText}`,
  );
  if (route && route.ip4 !== sees) {
    log.warn(
      `the server sees ${sees}, not ${route.ip4} (NAT, a proxy or a load balancer between?): if other hosts reach this one at ${route.ip4}, pass --agent-ip ${route.ip4} or --agent-interface ${route.iface}`,
    );
  }
}
