import { asObject } from "../control.js";
import { ApiError } from "../errors.js";
import { jsonReply, parseJsonBody, type Exchange, type Reply } from "../http.js";
import { setKubeletReady } from "./progress.js";
import { addCluster, seedNodes } from "./seed.js";
import { settledRegistrationToken } from "./tokens.js";
import type { ApiTokenSpec, ClusterSpec, NodeSeedSpec, V3Node } from "./types.js";
import type { V3World } from "./world.js";

/**
 * The 2.x line's `/_sim/*` routes (beside the shared requests and faults), for out-of-process users:
 * `GET state`; `POST clusters` {name, kind?, agentEnvVars?, active?, defaultToken?};
 * `POST api-tokens` {clusterId?, enabled?}; `POST registration-tokens` {clusterId, name?};
 * `POST seed-nodes` {clusterId, count?, hostname?, address?, roles?, registered?, reachable?};
 * `POST node-reachable` {nodeId, reachable}.
 */
export function v3Control(world: V3World, ex: Exchange): Reply {
  const route = `${ex.method} ${ex.path.replace(/\/+$/, "")}`;
  const body = (): Record<string, unknown> => asObject(parseJsonBody(ex));
  switch (route) {
    case "GET /_sim/state":
      return jsonReply(200, simulatorState(world));
    case "POST /_sim/clusters":
      return jsonReply(201, addCluster(world, body() as unknown as ClusterSpec));
    case "POST /_sim/api-tokens":
      return jsonReply(201, world.store.addApiToken(body() as ApiTokenSpec));
    case "POST /_sim/registration-tokens": {
      const { clusterId, name } = body();
      world.store.requireCluster(String(clusterId));
      return jsonReply(
        201,
        settledRegistrationToken(world, String(clusterId), typeof name === "string" ? name : undefined),
      );
    }
    case "POST /_sim/seed-nodes":
      return jsonReply(201, seedNodes(world, body() as unknown as NodeSeedSpec));
    case "POST /_sim/node-reachable": {
      const { nodeId, reachable } = body();
      setReachable(world, String(nodeId), reachable === true);
      return jsonReply(200, world.store.node(String(nodeId)));
    }
    default:
      throw new ApiError(404);
  }
}

/** The machine behind a registered node goes away (or comes back): its kubelet stops posting status. */
export function setReachable(world: V3World, nodeId: string, reachable: boolean): V3Node {
  const node = world.store.node(nodeId);
  if (!node) throw new ApiError(404, { message: `no node ${nodeId}` });
  if (node.nodeName !== "") setKubeletReady(node, reachable);
  return node;
}

function simulatorState(world: V3World): Record<string, unknown> {
  const { store } = world;
  return {
    version: world.config.version,
    serverUrl: world.serverUrl,
    clusters: store.clusters,
    registrationTokens: store.tokens,
    nodes: store.nodes,
    machines: store.machines,
    faults: world.faults.snapshot(),
  };
}
