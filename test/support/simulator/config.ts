import type { SimulatorOptions, Timings } from "./types.js";

export const DEFAULT_TIMINGS: Timings = {
  tokenActivationMs: 500,
  registerActivationMs: 200,
  hostRegisteringMs: 300,
  hostActivatingMs: 700,
  actionMs: 300,
  agentReconnectingAfterMs: 3000,
  agentDisconnectedAfterMs: 6000,
  pingIntervalSeconds: 1,
};

export interface Config {
  port: number;
  host: string;
  /** Setting api.host as given; undefined means "use the listen url". */
  publicUrl: string | undefined;
  agentImage: string;
  version: string;
  caFingerprint: string | undefined;
  timings: Timings;
  tls: { key: string; cert: string } | undefined;
}

export function resolveConfig(options: SimulatorOptions): Config {
  return {
    port: options.port ?? 0,
    host: options.host ?? "127.0.0.1",
    publicUrl: options.publicUrl === undefined ? undefined : normalisePublicUrl(options.publicUrl),
    agentImage: options.agentImage ?? "rancher/agent:v1.2.11",
    version: options.version ?? "v1.6.30",
    caFingerprint: options.caFingerprint,
    timings: { ...DEFAULT_TIMINGS, ...options.timings },
    tls: options.tls,
  };
}

/** Cattle prefixes a scheme-less api.host with http:// (RegistrationTokenOutputFilter). */
function normalisePublicUrl(url: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`;
  return withScheme.replace(/\/+$/, "");
}

/** The url a local client uses to reach a server listening on `host`. */
export function listenUrl(host: string, port: number, scheme: "http" | "https" = "http"): string {
  const reachable = host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host;
  return `${scheme}://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
}
