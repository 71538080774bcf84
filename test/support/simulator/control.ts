import { ApiError } from "./errors.js";
import { jsonReply, parseJsonBody, type Exchange, type Reply } from "./http.js";
import type { Line } from "./server.js";

/**
 * `/_sim/*`: test control over HTTP for out-of-process users (no auth, no faults, not logged).
 * The request log and the fault switches are shared by every line; the rest is the line's.
 */
export function handleControl(line: Line, ex: Exchange): Reply {
  const route = `${ex.method} ${ex.path.replace(/\/+$/, "")}`;
  switch (route) {
    case "GET /_sim/requests":
      return jsonReply(200, line.core.log.entries);
    case "DELETE /_sim/requests":
      line.core.log.clear();
      return { status: 204, headers: {}, body: "" };
    case "POST /_sim/faults":
      applyFaults(line, asObject(parseJsonBody(ex)));
      return jsonReply(200, line.core.faults.snapshot());
    default:
      return line.control(ex);
  }
}

/**
 * Body: `{reset?, failNext?: {count, status?}, rateLimitNext?: {count, retryAfterSeconds},
 * delayResponsesMs?, <hold name>?: boolean...}`; reset is applied first.
 */
function applyFaults(line: Line, body: Record<string, unknown>): void {
  const { faults } = line.core;
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
  for (const name of faults.holdNames) {
    if (body[name] !== undefined) faults.hold(name).set(body[name] === true);
  }
}

export function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ApiError(400, { code: "InvalidBodyContent" });
  }
  return value as Record<string, unknown>;
}

export function numberField(body: Record<string, unknown>, name: string): number {
  const value = body[name];
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new ApiError(400, { code: "InvalidFormat", fieldName: name });
  }
  return value;
}

function optionalNumber(body: Record<string, unknown>, name: string): number | undefined {
  return body[name] === undefined ? undefined : numberField(body, name);
}
