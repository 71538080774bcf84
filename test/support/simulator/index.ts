/**
 * Rancher 1.6 server simulator: the parts of the API that host registration touches
 * (projects, registration tokens, scripts, register, hosts), plus a ping endpoint for a fake agent.
 * The 2.x (`/v3`) simulator lives in ./v3/ and shares the request pipeline (serve.ts, server.ts).
 */
import { handleApi } from "./api.js";
import { cattleControl } from "./cattle-control.js";
import { resolveConfig } from "./config.js";
import { errorBody } from "./errors.js";
import { errorReply, jsonReply } from "./http.js";
import { seedHosts } from "./hosts.js";
import { PING_PATH, handlePing } from "./ping.js";
import { serveLine } from "./serve.js";
import type { Line } from "./server.js";
import { DEFAULT_PROJECT, publicKey } from "./store.js";
import type { Simulator, SimulatorOptions } from "./types.js";
import { createWorld, type World } from "./world.js";

export type * from "./types.js";
export { DEFAULT_TIMINGS } from "./config.js";
export { PING_PATH } from "./ping.js";

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const world = createWorld(resolveConfig(options));
  const served = await serveLine(cattleLine(world), world.config);
  world.publicUrl = world.config.publicUrl ?? served.url;
  return simulatorApi(world, served.url, served.port, served.close);
}

function cattleLine(world: World): Line {
  return {
    core: world,
    control: (ex) => cattleControl(world, ex),
    agentChannel: (ex) => (ex.path === PING_PATH ? () => handlePing(world, ex) : undefined),
    api: (ex) => handleApi(world, ex),
    headers: (ex) => ({ "X-Rancher-Version": world.config.version, "X-API-Client-IP": ex.clientIp }),
    renderError: errorReply,
    failureBody: (status) => jsonReply(status, errorBody(status)),
  };
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
