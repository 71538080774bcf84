/**
 * Rancher 1.6 server simulator: the parts of the API that host registration touches
 * (projects, registration tokens, scripts, register, hosts), plus a ping endpoint for a fake agent.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
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
  const server = createServer((req, res) => {
    handleRequest(world, req, res).catch(() => res.destroy());
  });
  await listen(server, world.config.port, world.config.host);
  const { port } = server.address() as AddressInfo;
  const url = listenUrl(world.config.host, port);
  world.publicUrl = world.config.publicUrl ?? url;
  return simulatorApi(world, server, url, port);
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

function simulatorApi(world: World, server: Server, url: string, port: number): Simulator {
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
    close: () => close(world, server),
  };
}

function close(world: World, server: Server): Promise<void> {
  world.scheduler.close();
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
