// eslint-disable-next-line no-control-regex
const ESCAPE_SEQUENCE = /\u001b(\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(\u0007|\u001b\\)?|[@-_])/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * What a server said, safe for a terminal: escape sequences removed, every other control character (newlines
 * included: a server must not forge lines of our output) and bidirectional override replaced by a space.
 */
export function printable(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, "").replace(CONTROL, " ");
}

/** Every string in a value made printable: for results that carry server text (names, states, messages). */
export function printableDeep<T>(value: T): T {
  if (typeof value === "string") return printable(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => printableDeep(item)) as T;
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, printableDeep(item)])) as T;
}

/** A message of ours that may quote a server or an agent: its own lines kept, each line made printable. */
export function printableLines(text: string): string {
  return text.split("\n").map(printable).join("\n");
}
