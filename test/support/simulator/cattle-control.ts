import { reapAgents } from "./agents.js";
import { asObject } from "./control.js";
import { ApiError } from "./errors.js";
import { jsonReply, parseJsonBody, type Exchange, type Reply } from "./http.js";
import { seedHosts } from "./hosts.js";
import type { HostSeedSpec } from "./types.js";
import type { World } from "./world.js";

/** The 1.6 line's `/_sim/*` routes: seeding hosts and a dump of the whole state. */
export function cattleControl(world: World, ex: Exchange): Reply {
  const route = `${ex.method} ${ex.path.replace(/\/+$/, "")}`;
  switch (route) {
    case "POST /_sim/seed-hosts":
      return jsonReply(201, seedFromBody(world, asObject(parseJsonBody(ex))));
    case "GET /_sim/state":
      return jsonReply(200, simulatorState(world));
    default:
      throw new ApiError(404);
  }
}

/** Body: `{projectId, count?, hostname?, state?, agentState?, agentIpAddress?, labels?}`. */
function seedFromBody(world: World, body: Record<string, unknown>): unknown {
  const { projectId, ...spec } = body;
  if (typeof projectId !== "string" || !world.store.projects.has(projectId)) {
    throw new ApiError(422, { code: "InvalidReference", fieldName: "projectId" });
  }
  return seedHosts(world, projectId, spec as HostSeedSpec);
}

function simulatorState(world: World): Record<string, unknown> {
  reapAgents(world);
  const { store } = world;
  return {
    publicUrl: world.publicUrl,
    projects: [...store.projects.values()],
    tokens: store.tokens,
    hosts: store.hosts,
    agents: store.agents.map(({ id, accountId, registrationKey, state, connection }) => ({
      id,
      accountId,
      registrationKey,
      state,
      connection,
    })),
    faults: world.faults.snapshot(),
  };
}
