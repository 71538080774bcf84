import { onlyMissing, Problems } from "../config/resolve.js";
import {
  effectiveSettings,
  resolveNamedSettings,
  resolveServerSettings,
  wantedTarget,
  type RecordedSettings,
  type ServerSettings,
} from "../config/settings.js";
import type { Deadline } from "../deadline.js";
import type { PullProgress } from "../docker/image.js";
import type { AgentFor, Connect } from "../flows/connection.js";
import type { Wanted } from "../flows/seam.js";
import type { Logger } from "../log.js";
import { EnrollmentStore, stateDir, type Enrollment } from "../state/enrollment.js";
import { commandClock, type ClockFlags, type CommandClock } from "./command-clock.js";

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

/** The node agent of a line, on this machine (its Docker engine, or systemd for the system agent). */
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
    return nodeAgentFor(line, {
      docker: connectDocker(),
      log,
      waitForDockerSeconds,
      onPullProgress,
      stateDir: stateDir(process.env),
      env: process.env,
    });
  };
}

/**
 * The settings of `status` and `down`, every one checked before the flow runs: a value given wrong ends the command
 * at once, with every problem; settings only missing matter once the flow needs the server (`status` still shows
 * this machine; a machine not enrolled needs none). The server URL and profile default to the enrollment record's.
 */
export async function checkedSettings(
  flags: ClockFlags,
  store: EnrollmentStore,
  warn: (message: string) => void,
): Promise<CommandClock & { server: () => ServerSettings }> {
  // A damaged record is the flow's to report (down --force goes on without it).
  const recorded = await store.read().then(
    (enrollment) => recordedSettings(store, enrollment),
    () => undefined,
  );
  const problems = new Problems();
  const clock = problems.attempt(() => commandClock(flags, warn));
  let server: ServerSettings | undefined;
  let missing: unknown;
  try {
    server = resolveServerSettings(flags, process.env, warn, recorded);
  } catch (error) {
    if (onlyMissing(error) && !problems.any) missing = error;
    else problems.add(error);
  }
  problems.throwIfAny();
  return {
    ...clock!,
    server: () => {
      if (server) return server;
      throw missing;
    },
  };
}

export interface PrepareFlags extends ClockFlags {
  agentImage?: string;
  clean?: boolean;
  environment?: string;
  cluster?: string;
}

/**
 * prepare's settings, every one checked before the flow runs and every problem reported at once, as up does. The
 * server is asked for the agent image unless `--agent-image` names it, or `--clean` runs without a URL: only then
 * may its settings be missing.
 */
export function checkedPrepareSettings(
  flags: PrepareFlags,
  warn: (message: string) => void,
): CommandClock & { wanted?: Wanted; server?: ServerSettings } {
  const problems = new Problems();
  const target = problems.attempt(() =>
    resolveNamedSettings(["environment", "cluster"], flags, process.env, warn),
  );
  const clock = problems.attempt(() => commandClock(flags, warn));
  const urlSet = problems.attempt(
    () => effectiveSettings(["url"], flags, process.env, warn).settings[0]?.value !== undefined,
  );
  const useServer = !flags.agentImage && (Boolean(urlSet) || !flags.clean);
  let server: ServerSettings | undefined;
  try {
    server = resolveServerSettings(flags, process.env, warn);
  } catch (error) {
    if (useServer || !onlyMissing(error)) problems.add(error);
  }
  problems.throwIfAny();
  const wanted = wantedTarget(target!);
  return { ...clock!, ...(wanted ? { wanted } : {}), ...(useServer ? { server: server! } : {}) };
}

function recordedSettings(
  store: EnrollmentStore,
  enrollment: Enrollment | undefined,
): RecordedSettings | undefined {
  if (!enrollment) return undefined;
  const { server, profile } = enrollment;
  return { server, path: store.file, ...(profile ? { profile } : {}) };
}
