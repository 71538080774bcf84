import { createHash, randomInt } from "node:crypto";

/** Kubernetes' generateName alphabet, also that of Rancher's token secrets (wrangler randomtoken). */
const ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

export function randomString(length: number): string {
  return Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
}

/** API key secrets and registration tokens: 54 characters. */
export function tokenSecret(): string {
  return randomString(54);
}

/** `generateName` suffix: 5 characters (`c-7xk2q`, `crt-h4x2b`, `token-abc12`). */
export function generatedName(prefix: string): string {
  return `${prefix}${randomString(5)}`;
}

/** A v2-provisioned cluster's management id: `c-m-` + 8 characters. */
export function v2ProvClusterId(): string {
  return `c-m-${randomString(8)}`;
}

/** The tunnel server names a custom node `m-` + the first 12 hex characters of md5(requestedHostname). */
export function machineName(requestedHostname: string): string {
  return `m-${createHash("md5").update(requestedHostname).digest("hex").slice(0, 12)}`;
}
