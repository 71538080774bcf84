import {
  resolveServerSettings,
  type RecordedSettings,
  type ServerFlags,
  type ServerSettings,
} from "../config/settings.js";
import type { Deadline } from "../deadline.js";
import type { PullProgress } from "../docker/image.js";
import type { AgentFor, Connect } from "../flows/connection.js";
import type { Logger } from "../log.js";
import { EnrollmentStore, stateDir, type Enrollment } from "../state/enrollment.js";

/** The clients a flow needs, loaded only when it runs: `--help` and `--version` need none of them. */

export function enrollmentStore(): EnrollmentStore {
  return new EnrollmentStore(stateDir(process.env));
}

/** Resolves the server settings, and detects the server's line, only when the flow first needs the server. */
export function serverConnector(
  settings: () => ServerSettings | Promise<ServerSettings>,
  log: Logger,
  deadline: Deadline,
): Connect {
  return async (recorded) => {
    const server = await settings();
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

/** The server settings of `status` and `down`: the enrollment record's server and profile unless others are given. */
export function enrolledServerSettings(
  flags: ServerFlags,
  store: EnrollmentStore,
  warn: (message: string) => void,
): () => Promise<ServerSettings> {
  return async () =>
    resolveServerSettings(flags, process.env, warn, recordedSettings(store, await store.read()));
}

function recordedSettings(
  store: EnrollmentStore,
  enrollment: Enrollment | undefined,
): RecordedSettings | undefined {
  if (!enrollment) return undefined;
  const { server, profile } = enrollment;
  return { server, path: store.file, ...(profile ? { profile } : {}) };
}
