import { EnrollError } from "../errors.js";
import type { RancherApi } from "../rancher/api.js";
import type { Enrollment } from "../state/enrollment.js";

/** A Rancher API client and the server it talks to, built only when a flow needs the server. */
export interface ServerConnection {
  url: string;
  api: RancherApi;
}

export type Connect = () => Promise<ServerConnection>;

/** Host ids are per server: never act on the enrolled host through another server's API. */
export async function connectToEnrollmentServer(
  connect: Connect,
  enrollment: Enrollment,
): Promise<RancherApi> {
  const connection = await connect();
  if (connection.url === enrollment.server) return connection.api;
  throw new EnrollError(
    "usage",
    `this machine is enrolled with ${enrollment.server}, but the settings name ${connection.url}`,
    "Use the URL and keys of the server the machine is enrolled with (see `rancher-enroll status`).",
  );
}
