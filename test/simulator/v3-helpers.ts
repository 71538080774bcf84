import { request } from "node:https";
import {
  startV3Simulator,
  type ApiToken,
  type V3Simulator,
  type V3SimulatorOptions,
  type V3Timings,
} from "../support/simulator/v3/index.js";
import { call, type CallOptions, type CallResult } from "./helpers.js";

export const FAST_V3: V3Timings = {
  tokenCommandMs: 40,
  nodeInitializingMs: 20,
  clusterProvisioningMs: 80,
  nodeRegisteringMs: 40,
  nodeRemovingMs: 40,
};

export function startFastV3(options: V3SimulatorOptions = {}): Promise<V3Simulator> {
  return startV3Simulator({ ...options, timings: { ...FAST_V3, ...options.timings } });
}

/** A request with `Authorization: Bearer <token>` (the admin's unless another is given). */
export function v3call(
  sim: V3Simulator,
  path: string,
  options: CallOptions & { token?: ApiToken | null } = {},
): Promise<CallResult> {
  const { token = sim.adminToken, ...rest } = options;
  const headers = token ? { Authorization: `Bearer ${token.bearer}`, ...rest.headers } : { ...rest.headers };
  return call(sim, path, { ...rest, headers });
}

export interface AgentNode {
  requestedHostname: string;
  address?: string;
  internalAddress?: string;
  roles?: Array<"etcd" | "controlplane" | "worker">;
  label?: Record<string, string>;
  taints?: string[];
}

/** X-API-Tunnel-Params as the agent builds them (pkg/agent/node/node.go). */
export function tunnelParams(node: AgentNode): string {
  const roles = node.roles ?? ["worker"];
  const params = {
    node: {
      requestedHostname: node.requestedHostname,
      etcd: roles.includes("etcd"),
      controlPlane: roles.includes("controlplane"),
      worker: roles.includes("worker"),
      customConfig: {
        address: node.address ?? "10.0.0.11",
        internalAddress: node.internalAddress ?? "",
        roles,
        label: node.label ?? {},
        taints: node.taints ?? [],
      },
      dockerInfo: { ServerVersion: "20.10.24" },
    },
  };
  return Buffer.from(JSON.stringify(params)).toString("base64");
}

/** What the fake agent does: a plain GET of the tunnel URL with the tunnel headers. */
export function connectAgent(
  sim: V3Simulator,
  token: string,
  node: AgentNode,
  path = "/v3/connect/register",
): Promise<CallResult> {
  return call(sim, path, {
    headers: { "X-API-Tunnel-Token": token, "X-API-Tunnel-Params": tunnelParams(node) },
  });
}

/** The cluster's `default-token` value. */
export function defaultToken(sim: V3Simulator, clusterName: string): string {
  const cluster = sim.cluster(clusterName);
  const token = sim.registrationTokens(cluster.id).find((t) => t.name === "default-token");
  if (!token) throw new Error(`no default-token in ${clusterName}`);
  return token.token;
}

/** GET over HTTPS trusting exactly `ca` (fetch cannot be given a CA). */
export function httpsGet(
  url: string,
  options: { ca: string; headers?: Record<string, string> },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
      );
    })
      .on("error", reject)
      .end();
  });
}
