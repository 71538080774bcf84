import type { ClusterSpec, V3SimulatorOptions, V3Timings } from "./types.js";

export const DEFAULT_V3_TIMINGS: V3Timings = {
  tokenCommandMs: 300,
  nodeInitializingMs: 200,
  clusterProvisioningMs: 2000,
  nodeRegisteringMs: 1500,
  nodeRemovingMs: 500,
};

export const DEFAULT_CLUSTERS: ClusterSpec[] = [
  { name: "dev-rke1", kind: "rke1" },
  { name: "dev-rke2", kind: "rke2" },
];

const NO_INSTALLER =
  '#!/bin/sh\necho "the rancher v3 simulator was started without an installerScript" >&2\nexit 1\n';

export interface V3Config {
  port: number;
  host: string;
  tls: { key: string; cert: string } | undefined;
  version: string;
  /** undefined: the listen url (known once listening). */
  serverUrl: string | undefined;
  cacerts: string;
  agentImage: string;
  timings: V3Timings;
  clusters: ClusterSpec[];
  installerScript: string;
}

export function resolveV3Config(options: V3SimulatorOptions): V3Config {
  const version = options.version ?? "v2.8.15";
  if (!/^v2\.\d+\.\d+/.test(version)) throw new Error(`rancher v3 simulator: not a 2.x version: ${version}`);
  return {
    port: options.port ?? 0,
    host: options.host ?? "127.0.0.1",
    tls: options.tls,
    version,
    serverUrl: options.serverUrl,
    // Rancher stores the CA it serves trimmed (tls.SetupListener), so that the agent's `jq -r .value` (which
    // adds one newline) hashes to the checksum the server computes with a newline ensured.
    cacerts: (options.cacerts ?? "").trim(),
    agentImage: options.agentImage ?? `rancher/rancher-agent:${version}`,
    timings: { ...DEFAULT_V3_TIMINGS, ...options.timings },
    clusters: options.clusters ?? DEFAULT_CLUSTERS,
    installerScript: options.installerScript ?? NO_INSTALLER,
  };
}

/** The minor version of a `v2.<minor>.<patch>` server. */
export function minor(version: string): number {
  return Number(/^v2\.(\d+)\./.exec(version)?.[1] ?? 0);
}

/** 2.6+: commands are written by a controller after the token exists, and `default-token` is automatic. */
export function commandsByController(version: string): boolean {
  return minor(version) >= 6;
}

/** 2.12+: no RKE1; every node command installs the system agent. */
export function withoutRke1(version: string): boolean {
  return minor(version) >= 12;
}
