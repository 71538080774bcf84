/**
 * Rancher 1.6 server simulator: the parts of the API that host registration touches
 * (projects, registration tokens, scripts, register, hosts), plus a ping endpoint for a fake agent.
 */
import { createServer, type RequestListener, type Server } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { listenUrl, resolveConfig } from "./config.js";
import { seedHosts } from "./hosts.js";
import { handleRequest } from "./server.js";
import { DEFAULT_PROJECT, publicKey } from "./store.js";
import type { Simulator, SimulatorOptions } from "./types.js";
import { createWorld, type World } from "./world.js";

export type * from "./types.js";
export { DEFAULT_TIMINGS } from "./config.js";
export { PING_PATH } from "./ping.js";

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const world = createWorld(resolveConfig(options));
  const listener: RequestListener = (req, res) => {
    handleRequest(world, req, res).catch(() => res.destroy());
  };
  const { tls } = world.config;
  const server = tls ? createTlsServer(tls, listener) : createServer(listener);
  // Closing destroys every connection, TLS handshakes in progress included (closeAllConnections misses those).
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await listen(server, world.config.port, world.config.host);
  const { port } = server.address() as AddressInfo;
  const url = listenUrl(world.config.host, port, tls ? "https" : "http");
  world.publicUrl = world.config.publicUrl ?? url;
  return simulatorApi(world, url, port, () => close(world, server, sockets));
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

function simulatorApi(world: World, url: string, port: number, stop: () => Promise<void>): Simulator {
  const { store } = world;
  return {
    url,
    port,
    defaultProject: DEFAULT_PROJECT,
    environmentKey: publicKey(store.environmentKey),
    adminKey: publicKey(store.adminKey),
    addProject: (name) => store.addProject(name),
    addEnvironmentKey: (projectId) => publicKey(store.addEnvironmentKey(projectId)),
    addAccountKey: (opts) => publicKey(store.addAccountKey(opts)),
    seedHosts: (projectId, spec) => seedHosts(world, projectId, spec),
    hosts: (projectId) => store.hostsOf(projectId),
    tokens: (projectId) => store.tokensOf(projectId),
    faults: world.faults,
    requests: world.log.entries,
    clearRequests: () => world.log.clear(),
    close: stop,
  };
}

function close(world: World, server: Server, sockets: Set<Socket>): Promise<void> {
  world.scheduler.close();
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    for (const socket of sockets) socket.destroy();
  });
}
