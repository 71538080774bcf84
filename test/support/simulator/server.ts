import type { IncomingMessage, ServerResponse } from "node:http";
import { handleControl } from "./control.js";
import type { ApiError } from "./errors.js";
import type { Faults, InjectedFailure } from "./faults.js";
import { guarded, readExchange, send, type Exchange, type Reply } from "./http.js";
import type { RequestLog } from "./request-log.js";
import type { Scheduler } from "./scheduler.js";

/** What one server line (1.6 Cattle, 2.x norman) plugs into the shared request pipeline. */
/** What every line's world has: its fault switches, request log and timers. */
export interface SimCore {
  faults: Faults;
  log: RequestLog;
  scheduler: Scheduler;
}

export interface Line {
  core: SimCore;
  /** The line's own `/_sim/*` routes (the shared ones are requests and faults); ApiError(404) otherwise. */
  control(ex: Exchange): Reply;
  /** The agent's own channel, served without faults; undefined when `ex` is not addressed to it. */
  agentChannel(ex: Exchange): (() => Reply | Promise<Reply>) | undefined;
  api(ex: Exchange): Reply | Promise<Reply>;
  /** Headers added to every logged answer. */
  headers(ex: Exchange): Record<string, string>;
  renderError(error: ApiError): Reply;
  /** The body of an injected failure. */
  failureBody(status: number): Reply;
}

export async function handleRequest(line: Line, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const arrival = Date.now();
  const ex = await readExchange(req);
  const agentChannel = line.agentChannel(ex);
  if (!agentChannel && ex.path.startsWith("/_sim/")) {
    send(res, await guarded(() => handleControl(line, ex), line.renderError));
    return;
  }
  const reply = await (agentChannel ? guarded(agentChannel, line.renderError) : answer(line, ex));
  Object.assign(reply.headers, line.headers(ex));
  line.core.log.record(ex, arrival, reply.status);
  send(res, reply);
}

/** Every request but the agent's channel may be delayed or failed. */
async function answer(line: Line, ex: Exchange): Promise<Reply> {
  const failure = line.core.faults.takeFailure();
  const delay = line.core.faults.responseDelayMs;
  if (delay > 0) await line.core.scheduler.sleep(delay);
  if (failure) return failureReply(line, failure);
  return guarded(() => line.api(ex), line.renderError);
}

function failureReply(line: Line, failure: InjectedFailure): Reply {
  const reply = line.failureBody(failure.status);
  if (failure.retryAfterSeconds !== undefined)
    reply.headers["Retry-After"] = String(failure.retryAfterSeconds);
  return reply;
}
