import type { IncomingMessage, ServerResponse } from "node:http";
import { handleApi } from "./api.js";
import { handleControl } from "./control.js";
import { errorBody } from "./errors.js";
import { guarded, jsonReply, readExchange, send, type Exchange, type Reply } from "./http.js";
import type { InjectedFailure } from "./faults.js";
import { PING_PATH, handlePing } from "./ping.js";
import type { World } from "./world.js";

export async function handleRequest(world: World, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const arrival = Date.now();
  const ex = await readExchange(req);
  if (ex.path.startsWith("/_sim/") && ex.path !== PING_PATH) {
    send(res, await guarded(() => handleControl(world, ex)));
    return;
  }
  const reply = await answer(world, ex);
  reply.headers["X-Rancher-Version"] = world.config.version;
  reply.headers["X-API-Client-IP"] = ex.clientIp;
  world.log.record(ex, arrival, reply.status);
  send(res, reply);
}

/** The agent ping is exempt from faults; every other request may be delayed or failed. */
async function answer(world: World, ex: Exchange): Promise<Reply> {
  if (ex.path === PING_PATH) return guarded(() => handlePing(world, ex));
  const failure = world.faults.takeFailure();
  const delay = world.faults.responseDelayMs;
  if (delay > 0) await world.scheduler.sleep(delay);
  if (failure) return failureReply(failure);
  return guarded(() => handleApi(world, ex));
}

function failureReply(failure: InjectedFailure): Reply {
  const headers: Record<string, string> =
    failure.retryAfterSeconds === undefined ? {} : { "Retry-After": String(failure.retryAfterSeconds) };
  return jsonReply(failure.status, errorBody(failure.status), headers);
}
