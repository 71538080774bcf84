// A real forward proxy for tests (the `proxy` package: plain HTTP forwarded by absolute URL, HTTPS through CONNECT
// tunnels), with a log of what it was asked to forward.
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createProxy } from "proxy";

export interface ForwardProxy {
  url: string;
  /** "GET http://host:port/path" for forwarded requests, "CONNECT host:port" for tunnels, in arrival order. */
  seen: string[];
  close(): Promise<void>;
}

export async function startForwardProxy(host = "127.0.0.1"): Promise<ForwardProxy> {
  const server = createProxy(createServer());
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.prependListener("request", (request) => seen.push(`${request.method} ${request.url}`));
  server.prependListener("connect", (request) => seen.push(`CONNECT ${request.url}`));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    seen,
    // Tunnels and kept-alive connections included.
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
