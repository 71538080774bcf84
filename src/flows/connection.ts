import type { Deadline } from "../deadline.js";
import { EnrollError } from "../errors.js";
import type { Logger } from "../log.js";
import type { Enrollment } from "../state/enrollment.js";
import type { AgentState, NodeAgent, ServerDriver, ServerLine } from "./seam.js";

/** A server driver and the server it talks to, built only when a flow needs the server. */
export interface Connection {
  url: string;
  driver: ServerDriver;
}

/** Connects to the server of the settings: with the line recorded for it, else the line detected. */
export type Connect = (recorded?: ServerLine) => Promise<Connection>;

/** The node agent of a server line; without one (nothing recorded), the agent found on machines today. */
export type AgentFor = (line: ServerLine | undefined) => Promise<NodeAgent>;

/**
 * The agent for the server's line, once the server said which: when it is not the one the machine was checked
 * for (the line was not known locally), or none was (a 2.x cluster decides), the new agent checks the machine too.
 */
export async function agentOfLine(
  current: NodeAgent | undefined,
  line: ServerLine,
  agentFor: AgentFor,
  deadline: Deadline,
): Promise<NodeAgent> {
  if (current?.line === line) return current;
  const agent = await agentFor(line);
  await agent.preflight(deadline);
  return agent;
}

/** Member ids are per server: never act on the enrolled member through another server's API. */
export async function connectToEnrollmentServer(
  connect: Connect,
  enrollment: Enrollment,
): Promise<ServerDriver> {
  const connection = await connect(enrollment.serverLine);
  if (connection.url === enrollment.server) return connection.driver;
  throw new EnrollError(
    "usage",
    `this machine is enrolled with ${enrollment.server}, but the settings name ${connection.url}`,
    "Use the URL and keys of the server the machine is enrolled with (see `rancher-enroll status`).",
  );
}

/**
 * The agent as the machine shows it when nothing is recorded: looked at once, never waited for. A machine without
 * a Docker engine (one that joined through rancher-system-agent, or one with no engine yet) runs no container of ours.
 */
export async function lookForUnrecordedAgent(agent: NodeAgent, log: Logger): Promise<AgentState> {
  try {
    return await agent.inspect();
  } catch (error) {
    if (!(error instanceof EnrollError) || error.kind !== "docker") throw error;
    log.debug(`nothing recorded, and ${agent.name} cannot be looked for: ${error.message}`);
    return { present: false, running: false };
  }
}
