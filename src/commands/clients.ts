import type { ServerSettings } from "../config/settings.js";
import type { Deadline } from "../deadline.js";
import type { Docker } from "../docker/engine.js";
import type { Logger } from "../log.js";
import type { RancherApi } from "../rancher/api.js";
import type { Connect } from "../register/server-connection.js";
import { EnrollmentStore, stateDir } from "../state/enrollment.js";

/** The clients a flow needs, loaded only when it runs: `--help` and `--version` need none of them. */

export async function rancherClient(
  server: ServerSettings,
  log: Logger,
  deadline: Deadline,
): Promise<RancherApi> {
  const { ApiClient } = await import("../rancher/http.js");
  const { CattleApi } = await import("../rancher/cattle.js");
  const tls = { caCert: server.caCert, insecure: server.insecure };
  const http = new ApiClient(server.url, server.credentials, log, deadline, tls);
  return new CattleApi(http, log, server.projectHint);
}

export async function dockerClient(): Promise<Docker> {
  const { connectDocker } = await import("../docker/engine.js");
  return connectDocker();
}

export function enrollmentStore(): EnrollmentStore {
  return new EnrollmentStore(stateDir(process.env));
}

/** Resolves the server settings only when the flow first needs the server. */
export function serverConnector(settings: () => ServerSettings, log: Logger, deadline: Deadline): Connect {
  return async () => {
    const server = settings();
    return { url: server.url, api: await rancherClient(server, log, deadline) };
  };
}
