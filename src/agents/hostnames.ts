import { hostname } from "node:os";

/** This machine's names as the agent reports them: `hostname -f` (may be an FQDN) and the short name. */
export async function localHostnames(): Promise<string[]> {
  const { osInfo } = await import("systeminformation");
  const { fqdn, hostname: short } = await osInfo();
  return [...new Set([fqdn, short, hostname()].filter(Boolean))];
}
