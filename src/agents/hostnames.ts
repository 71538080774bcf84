import { execFile } from "node:child_process";
import { hostname } from "node:os";
import { promisify } from "node:util";

/** `hostname -f` asks the resolver, which may be slow or absent early at boot: not longer than this. */
const FQDN_TIMEOUT_MS = 2000;

/** This machine's names as the agent reports them: `hostname -f` (may be an FQDN) and the short name. */
export async function localHostnames(): Promise<string[]> {
  const fqdn = await promisify(execFile)("hostname", ["-f"], { timeout: FQDN_TIMEOUT_MS }).then(
    ({ stdout }) => stdout.trim(),
    () => "",
  );
  return [...new Set([fqdn, hostname()].filter(Boolean))];
}
