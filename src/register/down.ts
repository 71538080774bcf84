import type { Deadline } from "../deadline.js";
import { inspectContainer, stopContainer } from "../docker/containers.js";
import { waitForDaemon, type Docker } from "../docker/engine.js";
import { EnrollError, asEnrollError } from "../errors.js";
import type { Logger } from "../log.js";
import type { Enrollment, EnrollmentStore } from "../state/enrollment.js";
import { withMachineLock } from "../state/lock.js";
import { AGENT_CONTAINER, purgeAgentIdentity, removeAgentContainers } from "./local-agent.js";
import { phase } from "./phase.js";
import type { DownResult } from "./result.js";
import { connectToEnrollmentServer, type Connect } from "./server-connection.js";
import { seconds } from "./up.js";

export interface DownContext {
  docker: Docker;
  store: EnrollmentStore;
  log: Logger;
  connect: Connect;
  purge: boolean;
  deadline: Deadline;
  waitForDockerSeconds: number;
}

/**
 * Takes the machine out of its environment: the agent stops first (a running agent would bring its host back),
 * then the host leaves the server, then the agent's containers go, and with `purge` the machine's identity.
 * When the server cannot be reached the local part is still done, and the error says what is left there.
 */
export async function down(context: DownContext): Promise<DownResult> {
  const started = Date.now();
  const { docker, store, log } = context;
  const { deadline } = context;
  await phase(log, "check docker engine", () =>
    waitForDaemon(docker, deadline, context.waitForDockerSeconds, log),
  );
  return withMachineLock(store.dir, deadline, log, async () => {
    const [enrollment, agent] = await Promise.all([store.read(), inspectContainer(docker, AGENT_CONTAINER)]);
    if (!enrollment && !agent && !context.purge) {
      log.info("this machine is not enrolled: nothing to do");
      return {
        kind: "down",
        changed: false,
        removedHosts: [],
        removedContainers: [],
        purged: [],
        leftOnServer: [],
        durationSeconds: seconds(started),
      };
    }
    await phase(log, "stop agent", () => stopContainer(docker, AGENT_CONTAINER));
    const server = await phase(log, "remove host", () => removeFromServer(context, enrollment, deadline));
    const removedContainers = await phase(log, "remove agent containers", () =>
      removeAgentContainers(docker, log),
    );
    const images = [enrollment?.agentImage, agent?.image].filter((image): image is string => Boolean(image));
    const purged = context.purge
      ? await phase(log, "purge identity", () => purgeAgentIdentity(docker, images, deadline, log))
      : [];
    await store.remove();
    if (server.failure) throw leftBehind(server.failure, server.left);
    const changed = Boolean(server.removed.length || removedContainers.length || purged.length);
    return {
      kind: "down",
      changed,
      removedHosts: server.removed,
      removedContainers,
      purged,
      leftOnServer: [],
      durationSeconds: seconds(started),
    };
  });
}

async function removeFromServer(
  { connect, log }: DownContext,
  enrollment: Enrollment | undefined,
  deadline: Deadline,
) {
  const removed: string[] = [];
  if (!enrollment?.hostId) return { removed, left: [] };
  const { environment } = enrollment;
  const ids = [enrollment.hostId];
  try {
    const api = await connectToEnrollmentServer(connect, enrollment);
    if (enrollment.agentId) {
      const ofAgent = (await api.listHosts(environment)).filter(
        (host) => host.agentId === enrollment.agentId,
      );
      ids.push(...ofAgent.map((host) => host.id).filter((id) => id !== enrollment.hostId));
    }
    for (const id of ids) {
      log.info({ host: id }, `removing host ${id} from environment ${environment.name} (${environment.id})`);
      await api.removeHost(environment, id, deadline);
      removed.push(id);
    }
    return { removed, left: [] };
  } catch (error) {
    const left = ids
      .filter((id) => !removed.includes(id))
      .map(
        (id) => `host ${id} in environment ${environment.name} (${environment.id}) of ${enrollment.server}`,
      );
    return { removed, left, failure: asEnrollError(error) };
  }
}

function leftBehind(failure: EnrollError, left: string[]): EnrollError {
  return new EnrollError(
    failure.kind,
    `the agent was removed from this machine, but ${left.join(", ")} remains on the server: ${failure.message}`,
    "Remove it in the Rancher UI (deactivate, then delete), or run `down` again with working settings once the server is reachable.",
  );
}
