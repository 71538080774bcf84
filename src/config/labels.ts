import { EnrollError } from "../errors.js";
import { parseLabels } from "./validate.js";

// Labels as one line of text, the form of profiles and of the agent's CATTLE_HOST_LABELS: KEY=VALUE pairs joined
// by '&', with '%' escapes (so a pasted CATTLE_HOST_LABELS value reads back). Writing escapes only '%' and '&'.

const SEPARATOR = "&";

export function parseLabelText(text: string): Record<string, string> {
  const pairs = text
    .split(SEPARATOR)
    .filter((pair) => pair.trim() !== "")
    .map((pair) => decode(pair));
  return parseLabels(pairs);
}

export function labelText(pairs: readonly string[]): string {
  return pairs.map(escapePair).join(SEPARATOR);
}

export function formatLabels(labels: Readonly<Record<string, string>>): string {
  return labelText(Object.entries(labels).map(([key, value]) => `${key}=${value}`));
}

const escapePair = (pair: string) =>
  pair.replace(/[%&]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function decode(pair: string): string {
  try {
    return decodeURIComponent(pair);
  } catch {
    throw new EnrollError(
      "usage",
      `invalid label "${pair}": a '%' must start an escape such as %26 ('&') or %25 ('%')`,
      "Write labels as KEY=VALUE pairs joined by '&'.",
    );
  }
}
