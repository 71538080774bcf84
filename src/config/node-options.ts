import { EnrollError } from "../errors.js";

// The 2.x node's settings, checked as Rancher checks them, so that a mistake stops `up` before anything runs.

export const ROLES = ["etcd", "controlplane", "worker"] as const;
export type Role = (typeof ROLES)[number];

/** Roles as flags or a profile give them: one each, or comma-separated; answered in Rancher's order. */
export function parseRoles(text: string, name: string): Role[] {
  const given = text
    .split(",")
    .map((role) => role.trim().toLowerCase())
    .filter(Boolean);
  const unknown = given.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknown.length || given.length === 0) {
    throw new EnrollError(
      "usage",
      `${name} must be etcd, controlplane or worker, got "${text}"`,
      "Repeat --role for several roles; a cluster's first node needs all three to provision it.",
    );
  }
  return ROLES.filter((role) => given.includes(role));
}

const DNS_SUBDOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/** A Kubernetes node name once lower-cased (the agent says so when it lower-cases it); kept as given. */
export function parseNodeName(text: string, name: string): string {
  const nodeName = text.trim();
  if (!DNS_SUBDOMAIN.test(nodeName.toLowerCase()) || nodeName.length > 253) {
    throw new EnrollError(
      "usage",
      `${name} must be a DNS name (letters, digits, '-' and '.', at most 253), got "${text}"`,
      "Rancher names the node after it; e.g. --node-name web-01.",
    );
  }
  return nodeName;
}

const TAINT = /^([A-Za-z0-9]([\w./-]*[A-Za-z0-9])?)(=[\w.-]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$/;

/** Taints as KEY=VALUE:EFFECT (the value may be empty), comma-separated in a profile. */
export function parseTaints(text: string, name: string): string[] {
  const taints = text
    .split(",")
    .map((taint) => taint.trim())
    .filter(Boolean);
  const invalid = taints.find((taint) => !TAINT.test(taint));
  if (invalid !== undefined) {
    throw new EnrollError(
      "usage",
      `${name}: invalid taint "${invalid}"`,
      "Write taints as KEY=VALUE:EFFECT, EFFECT one of NoSchedule, PreferNoSchedule, NoExecute.",
    );
  }
  return taints;
}

export type WaitFor = "registered" | "active";

export function parseWaitFor(text: string, name: string): WaitFor {
  const value = text.trim().toLowerCase();
  if (value !== "registered" && value !== "active") {
    throw new EnrollError("usage", `${name} must be registered or active, got "${text}"`);
  }
  return value;
}

/** The SHA-256 the UI shows in the node command (`--ca-checksum`), 64 hex digits. */
export function parseCaChecksum(text: string, name: string): string {
  const checksum = text.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(checksum)) {
    throw new EnrollError(
      "usage",
      `${name} must be 64 hexadecimal digits (a SHA-256), got "${text}"`,
      "Copy it from the --ca-checksum of the cluster's registration command in the Rancher UI.",
    );
  }
  return checksum;
}
