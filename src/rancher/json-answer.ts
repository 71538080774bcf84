/**
 * The largest answer read. The biggest Rancher answers are host pages: 1.6 host resources run to a few KiB each,
 * 2.x nodes to ~20 KiB; a page of 1000 hosts (our page size) at 16 KiB each is 16 MiB, so 32 MiB leaves room while a
 * hostile server cannot make us hold gigabytes (parsing costs several times the text in memory).
 */
export const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/** Rancher resources nest a handful of levels (a host's `info` is the deepest, about 6); parsing 10^6 levels takes seconds. */
const MAX_DEPTH = 64;

/** A JSON text, or undefined when it is not one (or nests deeper than any Rancher answer). */
export function parseJsonAnswer(text: string): unknown {
  if (nestsTooDeep(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** One pass over the text counting brackets outside strings: cheaper than letting JSON.parse build the nesting. */
function nestsTooDeep(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > MAX_DEPTH) return true;
    } else if (c === 0x5d || c === 0x7d) depth -= 1;
  }
  return false;
}
