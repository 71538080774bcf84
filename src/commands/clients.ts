import type { ServerSettings } from "../config/settings.js";
import type { Deadline } from "../deadline.js";
import type { PullProgress } from "../docker/image.js";
import type { AgentFor, Connect } from "../flows/connection.js";
import type { Logger } from "../log.js";
import { EnrollmentStore, stateDir } from "../state/enrollment.js";

/** The clients a flow needs, loaded only when it runs: `--help` and `--version` need none of them. */

export function enrollmentStore(): EnrollmentStore {
  return new EnrollmentStore(stateDir(process.env));
}

/** Resolves the server settings, and detects the server's line, only when the flow first needs the server. */
export function serverConnector(settings: () => ServerSettings, log: Logger, deadline: Deadline): Connect {
  return async (recorded) => {
    const server = settings();
    const { connectDriver } = await import("../rancher/detect.js");
    return { url: server.url, driver: await connectDriver(server, log, deadline, recorded) };
  };
}

/** The node agent of a line, on this machine's Docker engine. */
export function agentChooser(
  log: Logger,
  waitForDockerSeconds: number,
  onPullProgress: (progress: PullProgress) => void = () => undefined,
): AgentFor {
  return async (line) => {
    const [{ connectDocker }, { nodeAgentFor }] = await Promise.all([
      import("../docker/engine.js"),
      import("../agents/choose.js"),
    ]);
    return nodeAgentFor(line, { docker: connectDocker(), log, waitForDockerSeconds, onPullProgress });
  };
}
