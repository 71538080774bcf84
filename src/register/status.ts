import type { Deadline } from "../deadline.js";
import { inspectContainer } from "../docker/containers.js";
import { waitForDaemon, type Docker } from "../docker/engine.js";
import type { Logger } from "../log.js";
import { isHostReady, type HostRecord } from "../rancher/api.js";
import type { Enrollment, EnrollmentStore } from "../state/enrollment.js";
import { AGENT_CONTAINER } from "./local-agent.js";
import { STATUS_EXIT_CODES, type StatusResult } from "./result.js";
import { connectToEnrollmentServer, type Connect } from "./server-connection.js";

export interface StatusContext {
  docker: Docker;
  log: Logger;
  waitForDockerSeconds: number;
  deadline: Deadline;
  store: EnrollmentStore;
  /** Used only when there is a host to ask about: a machine never enrolled needs no credentials. */
  connect: Connect;
}

/** What the machine and the server say about this machine's enrollment; changes nothing. */
export async function status({
  docker,
  store,
  connect,
  log,
  waitForDockerSeconds,
  deadline,
}: StatusContext): Promise<StatusResult> {
  await waitForDaemon(docker, deadline, waitForDockerSeconds, log);
  const [enrollment, container] = await Promise.all([
    store.read(),
    inspectContainer(docker, AGENT_CONTAINER),
  ]);
  const agent = container
    ? { present: true, running: container.running, image: container.image, startedAt: container.startedAt }
    : { present: false, running: false };
  if (!enrollment && !container) {
    return {
      kind: "status",
      changed: false,
      enrolled: false,
      healthy: false,
      problems: ["not enrolled"],
      agent,
      exitCode: STATUS_EXIT_CODES.notEnrolled,
    };
  }
  const host = enrollment?.hostId ? await hostOnServer(connect, enrollment, enrollment.hostId) : undefined;
  const problems = diagnose(enrollment, agent, host);
  return {
    kind: "status",
    changed: false,
    enrolled: true,
    healthy: problems.length === 0,
    problems,
    agent,
    ...(enrollment ? { enrollment: describeEnrollment(enrollment) } : {}),
    ...(host === undefined ? {} : { host: host && pickHost(host) }),
    exitCode: problems.length ? STATUS_EXIT_CODES.unhealthy : STATUS_EXIT_CODES.active,
  };
}

async function hostOnServer(
  connect: Connect,
  enrollment: Enrollment,
  id: string,
): Promise<HostRecord | null> {
  const api = await connectToEnrollmentServer(connect, enrollment);
  return (await api.getHost(enrollment.environment, id)) ?? null;
}

function diagnose(
  enrollment: Enrollment | undefined,
  agent: StatusResult["agent"],
  host: HostRecord | null | undefined,
): string[] {
  const problems: string[] = [];
  if (!agent.present) problems.push(`the ${AGENT_CONTAINER} container is missing`);
  else if (!agent.running) problems.push(`the ${AGENT_CONTAINER} container is stopped`);
  if (!enrollment)
    problems.push(`an ${AGENT_CONTAINER} container runs, but rancher-enroll did not enroll this machine`);
  else if (!enrollment.hostId)
    problems.push("the last enrollment was interrupted before the host was confirmed");
  else if (host === null) problems.push(`host ${enrollment.hostId} no longer exists on the server`);
  else if (host && !isHostReady(host))
    problems.push(
      `host ${host.id} is ${host.state}${host.agentState && host.agentState !== host.state ? ` (agent ${host.agentState})` : ""}`,
    );
  return problems;
}

function describeEnrollment({
  server,
  environment,
  hostId,
  confirmedAt,
}: Enrollment): NonNullable<StatusResult["enrollment"]> {
  return { server, environment, ...(hostId ? { hostId } : {}), ...(confirmedAt ? { confirmedAt } : {}) };
}

function pickHost({ id, hostname, state, agentState, agentIpAddress }: HostRecord) {
  return { id, hostname, state, agentState, agentIpAddress };
}
