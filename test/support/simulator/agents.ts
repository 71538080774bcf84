import { randomUUID } from "node:crypto";
import { accessKey, secretKey } from "./ids.js";
import { settle } from "./lifecycle.js";
import type { Agent, AgentConnection } from "./store.js";
import type { Host } from "./types.js";
import type { World } from "./world.js";

/** The active agent registered with `key` in the project; the same key always yields the same agent. */
export function agentForKey(world: World, projectId: string, key: string): Agent {
  const existing = world.store.agents.find(
    (a) => a.accountId === projectId && a.registrationKey === key && a.state === "active",
  );
  return existing ?? createAgent(world, projectId, key);
}

function createAgent(world: World, projectId: string, key: string): Agent {
  const agent: Agent = {
    id: world.store.ids.id("a"),
    accountId: projectId,
    uri: `event://${randomUUID()}`,
    registrationKey: key,
    accessKey: accessKey(),
    secretKey: secretKey(),
    state: "active",
    connection: "active",
  };
  world.store.agents.push(agent);
  return agent;
}

/**
 * Cattle periodically removes agents that are disconnected and have no live host left, and with them
 * their register objects. We apply that rule whenever agents are looked at (register calls, pings),
 * which is indistinguishable from a task that runs very often.
 */
export function reapAgents(world: World): void {
  for (const agent of world.store.agents) {
    if (
      agent.state === "active" &&
      agent.connection === "disconnected" &&
      liveHosts(world, agent).length === 0
    ) {
      agent.state = "removed";
      for (const register of world.store.registers) {
        if (register.accessKey === agent.accessKey) settle(register, "removed");
      }
    }
  }
}

/** Each ping restarts the countdowns to `reconnecting` and `disconnected`. */
export function keepAlive(world: World, agent: Agent): void {
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

export function liveHosts(world: World, agent: Agent): Host[] {
  return world.store.hosts.filter((h) => h.agentId === agent.id && h.removed === null);
}
