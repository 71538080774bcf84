// A loopback HTTP(S) server whose answer each test sets, playing a broken or hostile "Rancher server".
import assert from "node:assert/strict";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { EnrollError } from "../../src/errors.js";

export const json =
  (body: unknown, status = 200): Handler =>
  (_, response) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };

export type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A loopback server whose answer each test sets; it records what reached it. */
export class Hostile {
  handler: Handler = (_, response) => response.end("{}");
  readonly seen: { method: string; url: string; authorization: string | undefined }[] = [];
  url = "";
  constructor(readonly server: Server) {
    server.on("request", (request: IncomingMessage, response: ServerResponse) => {
      this.seen.push({
        method: request.method ?? "",
        url: request.url ?? "",
        authorization: request.headers.authorization,
      });
      this.handler(request, response);
    });
  }

  /** Loopback only: a test never opens a port to the network. */
  async listen(scheme: "http" | "https"): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `${scheme}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  reset(handler: Handler): void {
    this.seen.length = 0;
    this.handler = handler;
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}

/** The EnrollError a request ends with. */
export async function failure(promise: Promise<unknown>): Promise<EnrollError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof EnrollError, `an EnrollError, not ${String(error)}`);
    return error;
  }
  assert.fail("expected a failure");
}
