import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { ApiError, errorBody } from "./errors.js";

/** One parsed incoming request. */
export interface Exchange {
  method: string;
  url: URL;
  path: string;
  headers: IncomingHttpHeaders;
  clientIp: string;
  /** scheme://host[:port] as the client addressed us; base of every link we emit. */
  origin: string;
  rawBody: string;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface BasicCredentials {
  user: string;
  password: string;
}

export async function readExchange(req: IncomingMessage): Promise<Exchange> {
  return exchangeOf(req, await readBody(req));
}

/** The exchange of a request whose body is known (an upgrade request has none to read). */
export function exchangeOf(req: IncomingMessage, rawBody: string): Exchange {
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? "https" : "http";
  const origin = `${scheme}://${req.headers.host ?? "localhost"}`;
  const url = new URL(req.url ?? "/", origin);
  return {
    method: (req.method ?? "GET").toUpperCase(),
    url,
    path: url.pathname,
    headers: req.headers,
    clientIp: clientIp(req),
    origin,
    rawBody,
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Socket peer, replaced by the first X-Forwarded-For hop (Cattle always honours it); port stripped. */
function clientIp(req: IncomingMessage): string {
  const forwarded = header(req.headers, "x-forwarded-for")?.split(",")[0]?.trim();
  const raw = forwarded || req.socket.remoteAddress || "";
  const unmapped = raw.replace(/^::ffff:/, "");
  return /^[\d.]+:\d+$/.test(unmapped) ? unmapped.slice(0, unmapped.lastIndexOf(":")) : unmapped;
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function basicCredentials(headers: IncomingHttpHeaders): BasicCredentials | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header(headers, "authorization") ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function parseJsonBody(ex: Exchange): unknown {
  if (ex.rawBody.trim() === "") return {};
  try {
    return JSON.parse(ex.rawBody) as unknown;
  } catch {
    throw new ApiError(400, { code: "InvalidBodyContent" });
  }
}

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(value),
  };
}

export function textReply(status: number, text: string): Reply {
  return { status, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: text };
}

export function errorReply(error: ApiError): Reply {
  return jsonReply(error.status, errorBody(error.status, error.details), error.headers);
}

/** Runs a handler, turning thrown ApiErrors (and bugs, as 500) into error replies. */
export async function guarded(
  handler: () => Reply | Promise<Reply>,
  render: (error: ApiError) => Reply = errorReply,
): Promise<Reply> {
  try {
    return await handler();
  } catch (error) {
    if (error instanceof ApiError) return render(error);
    console.error("rancher simulator: unexpected error", error);
    return render(new ApiError(500));
  }
}

export function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { ...reply.headers, "Content-Length": Buffer.byteLength(reply.body) });
  res.end(reply.body);
}

export function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    record[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return record;
}
