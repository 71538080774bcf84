/**
 * CATTLE_HOST_LABELS as the Go agent reads it: a URL query (percent-decoding, `+` = space,
 * `&` and `;` separate pairs), keys and values trimmed, the first value of a key wins.
 * Pairs that fail to decode are dropped, as url.ParseQuery does.
 */
export function parseHostLabels(raw: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of raw.split(/[&;]/)) {
    const eq = pair.indexOf("=");
    const key = decode(eq < 0 ? pair : pair.slice(0, eq))?.trim();
    const value = decode(eq < 0 ? "" : pair.slice(eq + 1))?.trim();
    if (key && value !== undefined && !(key in labels)) labels[key] = value;
  }
  return labels;
}

function decode(component: string): string | undefined {
  try {
    return decodeURIComponent(component.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}
