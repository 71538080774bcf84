import { isIP, isIPv4 } from "node:net";
import { EnrollError } from "../errors.js";

const LABEL_KEY = /^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export function parseLabels(pairs: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const separator = pair.indexOf("=");
    if (separator < 0) throw labelError(pair, "it has no '=' (expected KEY=VALUE)");
    const key = pair.slice(0, separator);
    const value = pair.slice(separator + 1);
    if (!LABEL_KEY.test(key)) {
      throw labelError(
        pair,
        "the key may hold only letters, digits, '.', '_', '-' and '/', and start and end with a letter or digit",
      );
    }
    if (CONTROL_CHARACTERS.test(value)) throw labelError(pair, "the value contains control characters");
    if (key in labels) throw labelError(pair, `the key "${key}" is given twice`);
    labels[key] = value;
  }
  return labels;
}

function labelError(pair: string, why: string): EnrollError {
  return new EnrollError("usage", `invalid label "${pair}": ${why}`, "Pass labels as --label KEY=VALUE.");
}

/** The same rule the 1.x agent applies to CATTLE_AGENT_IP, checked before anything is launched. */
export function validateAgentIp(ip: string): string {
  const invalid = (why: string) =>
    new EnrollError(
      "usage",
      `invalid agent IP "${ip}": ${why}`,
      "Give the IPv4 address other hosts reach this machine at.",
    );
  if (!isIPv4(ip)) throw invalid("it is not a dotted IPv4 address");
  if (ip.startsWith("127.")) throw invalid("a loopback address is not reachable from other hosts");
  if (ip === "0.0.0.0" || ip === "255.255.255.255") throw invalid("it is not a host address");
  return ip;
}

export function parsePositiveSeconds(name: string, text: string): number {
  return parseSeconds(name, text, "positive");
}

/** Zero allowed: "do not wait". */
export function parseNonNegativeSeconds(name: string, text: string): number {
  return parseSeconds(name, text, "non-negative");
}

/** Node's timers hold at most 2^31-1 ms (24.8 days), a longer one fires at once: 23 days leaves a margin. */
export const MAX_SECONDS = 2_000_000;

function parseSeconds(name: string, text: string, kind: "positive" | "non-negative"): number {
  const seconds = Number(text);
  const inRange = kind === "positive" ? seconds > 0 : seconds >= 0;
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !inRange) {
    throw new EnrollError("usage", `${name} must be a ${kind} number of seconds, got "${text}"`);
  }
  if (seconds > MAX_SECONDS) {
    throw new EnrollError(
      "usage",
      `${name} must be at most ${MAX_SECONDS} seconds (23 days), got "${text}"`,
      "Give a shorter wait: under systemd, Restart= retries a unit that gave up.",
    );
  }
  return seconds;
}

const SWITCH_VALUES: Readonly<Record<string, boolean>> = {
  true: true,
  yes: true,
  1: true,
  false: false,
  no: false,
  0: false,
};

/** An on/off setting as a variable or a profile spells it; the flag alone means "true". */
export function parseSwitch(name: string, text: string): boolean {
  const value = SWITCH_VALUES[text.trim().toLowerCase()];
  if (value === undefined) {
    throw new EnrollError("usage", `${name} must be true or false, got "${text}"`);
  }
  return value;
}

/** An IPv4 or IPv6 address, as the 2.x agent's --address takes it. */
export function parseIp(text: string, name: string): string {
  const ip = text.trim();
  if (!isIP(ip)) throw new EnrollError("usage", `${name} must be an IP address, got "${text}"`);
  return ip;
}
