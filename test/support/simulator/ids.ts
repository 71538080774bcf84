import { createHmac, randomBytes } from "node:crypto";

/**
 * Cattle ids are "1" + a short type code + the row number (1a5, 1h12, 1c3, 1ph7).
 * Each type code has its own row counter.
 */
export class IdSequence {
  private readonly next = new Map<string, number>();

  constructor(start: Record<string, number> = {}) {
    for (const [code, n] of Object.entries(start)) this.next.set(code, n);
  }

  id(code: string): string {
    const n = this.next.get(code) ?? 1;
    this.next.set(code, n + 1);
    return `1${code}${n}`;
  }
}

/** Public value of a credential: 20 upper-case hex characters. */
export function accessKey(): string {
  return randomBytes(10).toString("hex").toUpperCase();
}

export function secretKey(): string {
  return randomBytes(30).toString("base64").replace(/[/=+]/g, "").slice(0, 40);
}

/**
 * Cattle 1.6 registration token: `<accessKey>:<millis>:<sig>` where millis is 00:00 UTC on Dec 31
 * of the previous year and sig an HMAC-SHA1 of `accessKey:millis`, base64 without `/=+`.
 */
export function registrationToken(signingKey: Buffer, now = new Date()): string {
  const key = accessKey();
  const millis = Date.UTC(now.getUTCFullYear() - 1, 11, 31);
  const signature = createHmac("sha1", signingKey).update(`${key}:${millis}`).digest("base64");
  return `${key}:${millis}:${signature.replace(/[/=+]/g, "")}`;
}

export function isProjectId(id: string): boolean {
  return /^1a\d+$/.test(id);
}
