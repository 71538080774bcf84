import { randomUUID } from "node:crypto";
import { keepAlive, liveHosts, reapAgents } from "./agents.js";
import { ApiError, validationError } from "./errors.js";
import { basicCredentials, textReply, type Exchange, type Reply } from "./http.js";
import { createReportedHost, updateReportedHost, type HostReport } from "./hosts.js";
import { parseHostLabels } from "./labels.js";
import type { Agent } from "./store.js";
import type { World } from "./world.js";

/**
 * Stand-in for the agent websocket: the real agent answers server pings with host resources,
 * the fake agent POSTs `key=value` lines here with its agent credentials.
 */
export const PING_PATH = "/_sim/agent/ping";

export function handlePing(world: World, ex: Exchange): Reply {
  if (ex.method !== "POST") throw new ApiError(405);
  const agent = authenticateAgent(world, ex);
  const report = hostReport(world, ex);
  keepAlive(world, agent);
  const host = liveHosts(world, agent).find((h) => h.reportedUuid === report.reportedUuid);
  if (host) updateReportedHost(host, report);
  else createReportedHost(world, agent, report);
  return textReply(200, String(world.config.timings.pingIntervalSeconds));
}

function authenticateAgent(world: World, ex: Exchange): Agent {
  reapAgents(world);
  const credentials = basicCredentials(ex.headers);
  const agent = credentials && world.store.findAgentByCredentials(credentials.user, credentials.password);
  if (!agent) throw new ApiError(401);
  return agent;
}

function hostReport(world: World, ex: Exchange): HostReport {
  const fields = parsePingBody(ex.rawBody);
  return {
    hostname: required(fields, "hostname"),
    reportedUuid: required(fields, "uuid"),
    physicalHostUuid: fields.physicalHostUuid || randomUUID(),
    agentIpAddress: fields.agentIp || ex.clientIp,
    agentImage: fields.image || world.config.agentImage,
    createLabels: parseHostLabels(fields.labels ?? ""),
  };
}

/** Body lines `key=value`, split at the first `=`. */
export function parsePingBody(body: string): Partial<Record<string, string>> {
  const fields: Partial<Record<string, string>> = {};
  for (const line of body.split(/\r?\n/)) {
    const eq = line.indexOf("=");
    if (eq > 0) fields[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return fields;
}

function required(fields: Partial<Record<string, string>>, name: string): string {
  const value = fields[name]?.trim();
  if (!value) throw validationError("MissingRequired", name);
  return value;
}
