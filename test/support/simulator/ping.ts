import { randomUUID } from "node:crypto";
import { ApiError, validationError } from "./errors.js";
import { basicCredentials, textReply, type Exchange, type Reply } from "./http.js";
import { createReportedHost, updateReportedHost, type HostReport } from "./hosts.js";
import { parseHostLabels } from "./labels.js";
import { removeAgent } from "./register.js";
import type { Agent, AgentConnection } from "./store.js";
import type { Host } from "./types.js";
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
  const host = liveHost(world, agent, report.reportedUuid);
  if (host) updateReportedHost(host, report);
  else createReportedHost(world, agent, report);
  return textReply(200, String(world.config.timings.pingIntervalSeconds));
}

function authenticateAgent(world: World, ex: Exchange): Agent {
  const credentials = basicCredentials(ex.headers);
  const agent = credentials && world.store.findAgentByCredentials(credentials.user, credentials.password);
  if (!agent) throw new ApiError(401);
  // Cattle periodically removes disconnected agents that have no host left; we apply it when they call again.
  if (agent.connection === "disconnected" && liveHosts(world, agent).length === 0) {
    removeAgent(world, agent);
    throw new ApiError(401);
  }
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

/** Each ping restarts the countdowns to `reconnecting` and `disconnected`. */
function keepAlive(world: World, agent: Agent): void {
  const { agentReconnectingAfterMs, agentDisconnectedAfterMs } = world.config.timings;
  setConnection(world, agent, "active");
  world.scheduler.restart(`${agent.id}:reconnecting`, agentReconnectingAfterMs, () =>
    setConnection(world, agent, "reconnecting"),
  );
  world.scheduler.restart(`${agent.id}:disconnected`, agentDisconnectedAfterMs, () =>
    setConnection(world, agent, "disconnected"),
  );
}

/** Hosts show the agent's state once they have one (agentState stays null until the host is active). */
function setConnection(world: World, agent: Agent, connection: AgentConnection): void {
  agent.connection = connection;
  for (const host of liveHosts(world, agent)) {
    if (host.agentState !== null) host.agentState = connection;
  }
}

function liveHosts(world: World, agent: Agent): Host[] {
  return world.store.hosts.filter((h) => h.agentId === agent.id && h.removed === null);
}

function liveHost(world: World, agent: Agent, reportedUuid: string): Host | undefined {
  return liveHosts(world, agent).find((h) => h.reportedUuid === reportedUuid);
}
