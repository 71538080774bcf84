import { activeToken } from "./auth.js";
import { ApiError } from "./errors.js";
import { textReply, type Exchange, type Reply } from "./http.js";
import type { ApiRoute } from "./routes.js";
import type { World } from "./world.js";

/**
 * `/v1/scripts/<token>` (also under `/projects/<id>/`): served before authentication, GET or POST.
 * The agent sources it to learn its registration credentials and CATTLE_URL.
 */
export function serveScript(world: World, ex: Exchange, route: ApiRoute): Reply {
  if (ex.method !== "GET" && ex.method !== "POST") throw new ApiError(405);
  const token = route.id === undefined ? undefined : activeToken(world, route.id);
  if (!token?.token || route.extra.length > 0) throw new ApiError(404);
  const exports = {
    CATTLE_REGISTRATION_ACCESS_KEY: "registrationToken",
    CATTLE_REGISTRATION_SECRET_KEY: token.token,
    CATTLE_URL: `${world.publicUrl}/v1`,
    DETECTED_CATTLE_AGENT_IP: ex.clientIp,
  };
  const lines = Object.entries(exports).map(([name, value]) => `export ${name}="${value}"`);
  return textReply(200, ["#!/bin/sh", "", ...lines, ""].join("\n"));
}
