import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { listenUrl } from "./config.js";
import { handleRequest, type Line } from "./server.js";

export interface ServeOptions {
  port: number;
  host: string;
  tls: { key: string; cert: string } | undefined;
}

export interface Served {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens with HTTP or HTTPS and runs every request through the line's pipeline. */
export async function serveLine(line: Line, options: ServeOptions): Promise<Served> {
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handleRequest(line, req, res).catch(() => res.destroy());
  };
  const { tls } = options;
  const server = tls ? createTlsServer(tls, listener) : createServer(listener);
  // Closing destroys every connection, TLS handshakes in progress included (closeAllConnections misses those).
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await listen(server, options.port, options.host);
  const { port } = server.address() as AddressInfo;
  const url = listenUrl(options.host, port, tls ? "https" : "http");
  const close = (): Promise<void> => {
    line.core.scheduler.close();
    return new Promise((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      for (const socket of sockets) socket.destroy();
    });
  };
  return { server, url, port, close };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
