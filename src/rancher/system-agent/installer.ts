import { createHash } from "node:crypto";
import { EnrollError } from "../../errors.js";
import type { Installer, JoinSpec, Target } from "../../flows/seam.js";
import type { Logger } from "../../log.js";
import type { ApiClient } from "../http.js";
import type { TokenResource } from "../v3/resources.js";
import { parseInstallCommand } from "../../agents/install-command.js";

/**
 * Reads a token's system-agent node command into a join. The installer it downloads and the server it registers
 * with must both be the server the user named: the registration token goes to no other host (exit 8 otherwise).
 */
export function systemAgentJoin(baseUrl: string) {
  return (token: TokenResource, cluster: Target): JoinSpec => {
    const command = token.nodeCommand ?? "";
    const parsed = parseInstallCommand(command);
    requireOurServer(baseUrl, cluster, "downloads the installer from", parsed.scriptUrl);
    if (parsed.server) requireOurServer(baseUrl, cluster, "registers the machine with", parsed.server);
    return {
      id: token.id,
      secret: token.token ?? "",
      command,
      url: parsed.server ?? new URL(baseUrl).origin,
      ...(parsed.caChecksum ? { caChecksum: parsed.caChecksum } : {}),
    };
  };
}

function requireOurServer(baseUrl: string, cluster: Target, what: string, url: string): void {
  const ours = new URL(baseUrl).origin;
  if (new URL(url).origin === ours) return;
  throw new EnrollError(
    "server",
    `the node command of cluster ${cluster.name} (${cluster.id}) ${what} ${new URL(url).origin}, not the server named (${ours}): nothing was downloaded or run, and the registration token was sent nowhere`,
    `Rancher writes its server-url setting into node commands. Use that URL as --url (RANCHER_URL), or ask the Rancher administrator to set server-url to ${ours}.`,
  );
}

/**
 * Downloads the installer the node command names, over the run's verified TLS (never `curl | sh`): its text is
 * kept for the agent to run, and its checksum logged so that a user can compare it with the server's.
 */
export async function fetchInstaller(http: ApiClient, log: Logger, join: JoinSpec): Promise<Installer> {
  const url = parseInstallCommand(join.command).scriptUrl;
  const script = await http.download(new URL(url).pathname);
  if (!script.startsWith("#!")) {
    throw http.notTheApi(`GET ${new URL(url).pathname} answered no shell script (${describeStart(script)})`);
  }
  const sha256 = createHash("sha256").update(script).digest("hex");
  log.info(
    { url, sha256, bytes: Buffer.byteLength(script) },
    `downloaded the system agent's installer ${url}`,
  );
  return { url, script, sha256 };
}

function describeStart(text: string): string {
  if (!text.trim()) return "an empty answer";
  const start = text.slice(0, 40).replace(/[^\x20-\x7e]/g, "?");
  return `it begins "${start}${text.length > 40 ? "…" : ""}"`;
}
