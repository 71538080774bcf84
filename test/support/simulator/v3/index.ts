/**
 * Rancher 2.x server simulator (`/v3`, norman): clusters, registration tokens, nodes and the agent's tunnel,
 * beside the 1.6 one and sharing its request pipeline, faults, control endpoints and request log.
 * The contract the fake agent relies on is in README.md.
 */
import { jsonReply } from "../http.js";
import { serveLine } from "../serve.js";
import type { Line } from "../server.js";
import { handleV3 } from "./api.js";
import { AuthFilterError } from "./auth.js";
import { resolveV3Config } from "./config.js";
import { isAgentPath, plainTunnelRequest, upgradeTunnel } from "./connect.js";
import { setReachable, v3Control } from "./control.js";
import { normanError, normanErrorBody } from "./norman.js";
import { addCluster, seedNodes } from "./seed.js";
import { settledRegistrationToken } from "./tokens.js";
import type { V3Simulator, V3SimulatorOptions } from "./types.js";
import { createV3World, type V3World } from "./world.js";

export type * from "./types.js";
export { DEFAULT_V3_TIMINGS } from "./config.js";
export { caChecksum } from "./commands.js";
export { machineName } from "./ids.js";
export { machineRequestName } from "./machines.js";

export async function startV3Simulator(options: V3SimulatorOptions = {}): Promise<V3Simulator> {
  const world = createV3World(resolveV3Config(options));
  for (const spec of world.config.clusters) addCluster(world, spec);
  const served = await serveLine(v3Line(world), world.config);
  served.server.on("upgrade", (req, socket) => upgradeTunnel(world, req, socket));
  world.serverUrl = world.config.serverUrl ?? served.url;
  return simulatorApi(world, served.url, served.port, served.close);
}

function v3Line(world: V3World): Line {
  return {
    core: world,
    control: (ex) => v3Control(world, ex),
    agentChannel: (ex) => (isAgentPath(ex.path) ? () => plainTunnelRequest(world, ex) : undefined),
    api: (ex) => handleV3(world, ex),
    headers: () => ({}),
    renderError: (error) => (error instanceof AuthFilterError ? authFilterReply(error) : normanError(error)),
    failureBody: (status) => jsonReply(status, normanErrorBody(status)),
  };
}

/** util.ReturnHTTPError: `{"type":"error","status":"401","message":…}` and json.Encoder's newline. */
function authFilterReply(error: AuthFilterError): ReturnType<typeof jsonReply> {
  const body = { type: "error", status: String(error.status), message: error.message };
  const reply = jsonReply(error.status, body);
  return { ...reply, headers: { "Content-Type": "application/json" }, body: `${reply.body}\n` };
}

function simulatorApi(world: V3World, url: string, port: number, close: () => Promise<void>): V3Simulator {
  const { store } = world;
  return {
    url,
    port,
    version: world.config.version,
    adminToken: world.adminToken,
    cluster: (nameOrId) => store.requireCluster(nameOrId),
    clusters: () => store.clusters,
    addCluster: (spec) => addCluster(world, spec),
    addApiToken: (spec) => store.addApiToken(spec),
    addRegistrationToken: (clusterId, name) => {
      store.requireCluster(clusterId);
      return settledRegistrationToken(world, clusterId, name);
    },
    registrationTokens: (clusterId) => store.tokensOf(clusterId),
    nodes: (clusterId) => store.nodesOf(clusterId),
    machines: (clusterId) => store.machines.filter((m) => m.clusterId === clusterId),
    seedNodes: (spec) => seedNodes(world, spec),
    setNodeReachable: (nodeId, reachable) => void setReachable(world, nodeId, reachable),
    setCacerts: (pem) => void (world.config.cacerts = pem.trim()),
    faults: world.faults,
    requests: world.log.entries,
    clearRequests: () => world.log.clear(),
    close,
  };
}
