import { basicCredentials, header, queryRecord, type Exchange } from "./http.js";
import type { RequestLogEntry } from "./types.js";

export class RequestLog {
  /** Live array handed out as Simulator.requests; cleared in place. */
  readonly entries: RequestLogEntry[] = [];

  record(ex: Exchange, arrival: number, status: number): void {
    const accessKey = basicCredentials(ex.headers)?.user ?? bearerAccessKey(ex);
    const projectHeader = header(ex.headers, "x-api-project-id");
    const body = jsonBody(ex.rawBody);
    this.entries.push({
      time: arrival,
      method: ex.method,
      path: ex.path,
      query: queryRecord(ex.url.searchParams),
      status,
      ...(accessKey === undefined ? {} : { accessKey }),
      ...(projectHeader === undefined ? {} : { projectHeader }),
      ...(body === undefined ? {} : { body }),
    });
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/** The public half of `Bearer <access>:<secret>`; a bearer without a colon is a secret as a whole. */
function bearerAccessKey(ex: Exchange): string | undefined {
  const match = /^Bearer\s+([^:\s]+):\S+$/i.exec(header(ex.headers, "authorization") ?? "");
  return match?.[1];
}

function jsonBody(raw: string): unknown {
  if (raw.trim() === "") return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
