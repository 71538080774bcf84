/**
 * The agent's tunnel, `/v3/connect/register` and `/v3/connect` (remotedialer behind Rancher's
 * mcmauthorizer): see README.md for the contract. Authorization happens before the websocket upgrade, so a
 * plain GET with the tunnel headers registers the node just as the real server does, then gets the
 * upgrader's 400.
 */
import { createHash } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { exchangeOf, header, jsonReply, textReply, type Exchange, type Reply } from "../http.js";
import { conditionStatus } from "./conditions.js";
import { machineName } from "./ids.js";
import { CONNECT_AGENT_PATH, connectAgent } from "./machines.js";
import { reconcileCluster, startNode } from "./progress.js";
import type { CustomConfig, V3Cluster, V3Node } from "./types.js";
import type { V3World } from "./world.js";

export const TUNNEL_TOKEN = "x-api-tunnel-token";
export const TUNNEL_PARAMS = "x-api-tunnel-params";
const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const NOT_WEBSOCKET =
  "websocket: the client is not using the websocket protocol: 'upgrade' token not found in 'Connection' header";

export function isTunnelPath(path: string): boolean {
  return path === "/v3/connect" || path === "/v3/connect/register";
}

/** Everything the agent itself calls with its tunnel headers (exempt from the fault switches). */
export function isAgentPath(path: string): boolean {
  return isTunnelPath(path) || path === CONFIG_PATH || path === CONNECT_AGENT_PATH;
}

export const CONFIG_PATH = "/v3/connect/config";

/** A refusal written by remotedialer's error writer: a status and the error text as a plain body. */
class TunnelRefusal extends Error {
  constructor(
    readonly status: number,
    text: string,
  ) {
    super(text);
  }
}

/** The plain-HTTP form of the tunnel: authorize (registering the node), count a connection, answer 400. */
export function plainTunnelRequest(world: V3World, ex: Exchange): Reply {
  if (ex.path === CONFIG_PATH) return nodeConfig(world, ex);
  if (ex.path === CONNECT_AGENT_PATH) return connectAgent(world, ex);
  try {
    const node = authorizeTunnel(world, ex.path, ex.headers);
    node.agent.lastConnect = Date.now();
    return textReply(400, NOT_WEBSOCKET);
  } catch (error) {
    if (error instanceof TunnelRefusal) return textReply(error.status, error.message);
    throw error;
  }
}

/**
 * `/v3/connect/config` (rkenodeconfigserver): the node's plan. 401 without a token, 500 with the error
 * for a refusal, 404 for a cluster that is not RKE1 (no plan: carry on), 503 until the cluster has begun to
 * provision (try later), then 200 with a NodeConfig. The plan's processes are not simulated (empty).
 */
function nodeConfig(world: V3World, ex: Exchange): Reply {
  let node: V3Node;
  try {
    node = authorizeTunnel(world, ex.path, ex.headers);
  } catch (error) {
    if (!(error instanceof TunnelRefusal)) throw error;
    return error.status === 401 ? textReply(401, "") : textReply(500, error.message);
  }
  const cluster = world.store.cluster(node.clusterId);
  if (!cluster || cluster.kind !== "rke1") return textReply(404, "");
  if (cluster.phase === "pending" || conditionStatus(node.conditions, "Provisioned") !== "True") {
    return textReply(503, "");
  }
  const interval = cluster.phase === "active" ? 120 : 15;
  return jsonReply(200, {
    clusterName: cluster.id,
    certs: "",
    processes: {},
    files: [],
    agentCheckInterval: interval,
  });
}

/** The websocket form: authorize, then hold the connection open for as long as the agent keeps it. */
export function upgradeTunnel(world: V3World, req: IncomingMessage, socket: Duplex): void {
  const ex = exchangeOf(req, "");
  const arrival = Date.now();
  const refuse = (status: number, text: string): void => {
    world.log.record(ex, arrival, status);
    socket.end(
      `HTTP/1.1 ${status} ${status === 401 ? "Unauthorized" : "Bad Request"}\r\n` +
        `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  };
  if (!isTunnelPath(ex.path)) return refuse(400, "404 page not found\n");
  let node: V3Node;
  try {
    node = authorizeTunnel(world, ex.path, ex.headers);
  } catch (error) {
    if (error instanceof TunnelRefusal) return refuse(error.status, error.message);
    throw error;
  }
  const key = header(ex.headers, "sec-websocket-key") ?? "";
  if (Buffer.from(key, "base64").length !== 16) {
    return refuse(
      400,
      "websocket: not a websocket handshake: 'Sec-WebSocket-Key' header must be Base64 encoded value of 16-byte in length",
    );
  }
  const accept = createHash("sha1")
    .update(key + WEBSOCKET_GUID)
    .digest("base64");
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  world.log.record(ex, arrival, 101);
  node.agent.sessions += 1;
  node.agent.lastConnect = Date.now();
  socket.on("data", () => (node.agent.lastConnect = Date.now()));
  // The HTTP server allows half-open sockets: end ours when the agent hangs up, so that `close` follows.
  socket.once("end", () => socket.end());
  socket.on("error", () => socket.destroy());
  socket.once("close", () => (node.agent.sessions -= 1));
}

interface TunnelNodeInput {
  requestedHostname?: string;
  etcd?: boolean;
  controlPlane?: boolean;
  worker?: boolean;
  customConfig?: Partial<CustomConfig> & { roles?: string[] };
  dockerInfo?: unknown;
}

/** mcmauthorizer.Authorize for a node: the cluster by token, then find (or on /register create) the node. */
export function authorizeTunnel(world: V3World, path: string, headers: IncomingHttpHeaders): V3Node {
  const token = header(headers, TUNNEL_TOKEN) ?? "";
  if (token === "") throw new TunnelRefusal(401, "failed authentication");
  const crt = world.store.tokenByValue(token);
  const cluster = crt && world.store.cluster(crt.clusterId);
  if (!cluster) throw new TunnelRefusal(400, "cluster not found");
  const input = readParams(header(headers, TUNNEL_PARAMS) ?? "");
  const register = path.endsWith("/register");
  const found = findNode(world, cluster, input.requestedHostname as string);
  if (!found && !register) {
    const name = machineName(input.requestedHostname as string);
    throw new TunnelRefusal(400, `nodes.management.cattle.io "${name}" not found`);
  }
  const node = found ?? createNode(world, cluster, input);
  if (register && found) updateRoles(world, found, input);
  if (input.dockerInfo !== undefined) node.dockerInfo = input.dockerInfo;
  return node;
}

function readParams(params: string): TunnelNodeInput {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(params) || params.length % 4 !== 0) {
    throw new TunnelRefusal(400, "illegal base64 data at input byte 0");
  }
  let input: { node?: TunnelNodeInput; cluster?: unknown };
  try {
    input = JSON.parse(Buffer.from(params, "base64").toString("utf8")) as typeof input;
  } catch {
    throw new TunnelRefusal(400, "unexpected end of JSON input");
  }
  if (!input?.node) {
    // A `cluster` registration (imported clusters) is not simulated.
    throw new TunnelRefusal(400, "missing node or cluster registration info");
  }
  if (!input.node.requestedHostname) throw new TunnelRefusal(400, "invalid input, hostname empty");
  return input.node;
}

/** getMachine: by `m-<md5>` name, by Kubernetes node name, by object name, then by requestedHostname. */
function findNode(world: V3World, cluster: V3Cluster, requested: string): V3Node | undefined {
  const nodes = world.store.nodesOf(cluster.id);
  const name = machineName(requested);
  return (
    nodes.find((n) => n.name === name) ??
    nodes.find((n) => n.nodeName === requested) ??
    nodes.find((n) => n.name === requested) ??
    nodes.find((n) => n.requestedHostname === requested)
  );
}

function createNode(world: V3World, cluster: V3Cluster, input: TunnelNodeInput): V3Node {
  const config = input.customConfig;
  if (!config) throw new TunnelRefusal(400, "invalid input, missing custom config");
  if (!config.address) throw new TunnelRefusal(400, "invalid input, address empty");
  const node = world.store.addNode({
    clusterId: cluster.id,
    requestedHostname: input.requestedHostname as string,
    roles: {
      etcd: input.etcd === true,
      controlPlane: input.controlPlane === true,
      worker: input.worker === true,
    },
    customConfig: {
      address: config.address,
      internalAddress: config.internalAddress ?? "",
      label: { ...config.label },
      taints: [...(config.taints ?? [])],
    },
  });
  startNode(world, node);
  return node;
}

/** Re-registration persists only the role flags (address, taints: tunnel memory only). */
function updateRoles(world: V3World, node: V3Node, input: TunnelNodeInput): void {
  node.etcd = input.etcd === true;
  node.controlPlane = input.controlPlane === true;
  node.worker = input.worker === true;
  reconcileCluster(world, node.clusterId);
}
