import { reapAgents } from "./agents.js";
import { ApiError } from "./errors.js";
import { jsonReply, parseJsonBody, type Exchange, type Reply } from "./http.js";
import { seedHosts } from "./hosts.js";
import type { HostSeedSpec } from "./types.js";
import type { World } from "./world.js";

/** `/_sim/*`: test control over HTTP for out-of-process users (no auth, no faults, not logged). */
export function handleControl(world: World, ex: Exchange): Reply {
  const route = `${ex.method} ${ex.path.replace(/\/+$/, "")}`;
  switch (route) {
    case "GET /_sim/requests":
      return jsonReply(200, world.log.entries);
    case "DELETE /_sim/requests":
      world.log.clear();
      return { status: 204, headers: {}, body: "" };
    case "POST /_sim/faults":
      applyFaults(world, asObject(parseJsonBody(ex)));
      return jsonReply(200, world.faults.snapshot());
    case "POST /_sim/seed-hosts":
      return jsonReply(201, seedFromBody(world, asObject(parseJsonBody(ex))));
    case "GET /_sim/state":
      return jsonReply(200, simulatorState(world));
    default:
      throw new ApiError(404);
  }
}

/**
 * Body: `{reset?, failNext?: {count, status?}, rateLimitNext?: {count, retryAfterSeconds},
 * delayResponsesMs?, keepTokensRegistering?, keepHostsFromActive?}`; reset is applied first.
 */
function applyFaults(world: World, body: Record<string, unknown>): void {
  const { faults } = world;
  if (body.reset === true) faults.reset();
  if (body.failNext !== undefined) {
    const spec = asObject(body.failNext);
    faults.failNext(numberField(spec, "count"), optionalNumber(spec, "status"));
  }
  if (body.rateLimitNext !== undefined) {
    const spec = asObject(body.rateLimitNext);
    faults.rateLimitNext(numberField(spec, "count"), numberField(spec, "retryAfterSeconds"));
  }
  if (body.delayResponsesMs !== undefined) faults.delayResponses(numberField(body, "delayResponsesMs"));
  if (body.keepTokensRegistering !== undefined)
    faults.keepTokensRegistering(body.keepTokensRegistering === true);
  if (body.keepHostsFromActive !== undefined) faults.keepHostsFromActive(body.keepHostsFromActive === true);
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

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ApiError(400, { code: "InvalidBodyContent" });
  }
  return value as Record<string, unknown>;
}

function numberField(body: Record<string, unknown>, name: string): number {
  const value = body[name];
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new ApiError(400, { code: "InvalidFormat", fieldName: name });
  }
  return value;
}

function optionalNumber(body: Record<string, unknown>, name: string): number | undefined {
  return body[name] === undefined ? undefined : numberField(body, name);
}
