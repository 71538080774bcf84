/**
 * Checks what we read from outside (server answers, our state file) at the boundary, and keeps of it only the
 * fields declared: the code past the boundary works on values of the declared types, never on `unknown` cast.
 *
 * Hand-written rather than zod or valibot: the shapes read are a handful of flat records (strings, booleans,
 * arrays of records); a few combinators cover them in some 80 lines, where a library would add more code to the
 * single executable than the whole checker and a dependency to keep current, for features not used here.
 */

/** What was wrong, and where: `data[3].id: expected a string, got a number`. */
export class SchemaMismatch extends Error {
  constructor(
    readonly where: string,
    readonly expected: string,
    got: unknown,
  ) {
    super(`${where ? `${where}: ` : ""}expected ${expected}, got ${describe(got)}`);
    this.name = "SchemaMismatch";
  }
}

/** Answers the value as its type, or throws a SchemaMismatch naming where (`at`) it is not. */
export type Check<T> = (value: unknown, at: string) => T;

/** Marks a check whose field may be absent (or null): the key is optional in the result, and left out when so. */
interface Optional<T> extends Check<T | undefined> {
  readonly optional: true;
}

export type Infer<C> = C extends Check<infer T> ? T : never;

type Shape = Record<string, Check<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends Optional<unknown> ? K : never }[keyof S];
type Flat<T> = { [K in keyof T]: T[K] };
export type Shaped<S extends Shape> = Flat<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }
>;

const primitive =
  <T>(type: "string" | "number" | "boolean", expected: string): Check<T> =>
  (value, at) => {
    if (typeof value !== type) throw new SchemaMismatch(at, expected, value);
    return value as T;
  };

export const string = primitive<string>("string", "a string");
export const number = primitive<number>("number", "a number");
export const boolean = primitive<boolean>("boolean", "true or false");

/** One of a few values (a version number, a word). */
export function oneOf<T extends string | number>(...values: readonly T[]): Check<T> {
  return (value, at) => {
    if (!values.includes(value as T))
      throw new SchemaMismatch(at, `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`, value);
    return value as T;
  };
}

/** Any JSON value, unread: an answer we do not use (an action's result). */
export const anything: Check<unknown> = (value) => value;

/** Absent or null reads as absent: Rancher sends `null` for an empty field as often as it leaves it out. */
export function optional<T>(check: Check<T>): Optional<T> {
  const read = (value: unknown, at: string) =>
    value === undefined || value === null ? undefined : check(value, at);
  return Object.assign(read, { optional: true as const });
}

export function array<T>(item: Check<T>): Check<T[]> {
  return (value, at) => {
    if (!Array.isArray(value)) throw new SchemaMismatch(at, "an array", value);
    return value.map((element, index) => item(element, `${at}[${index}]`));
  };
}

/** A record of the declared fields; others are dropped, so that nothing undeclared travels further. */
export function object<S extends Shape>(shape: S): Check<Shaped<S>> {
  return (value, at) => {
    const record = asRecord(value, at);
    const result: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(shape)) {
      const field = check(record[key], at ? `${at}.${key}` : key);
      if (field !== undefined) result[key] = field;
    }
    return result as Shaped<S>;
  };
}

/** A map of names to values of one type (labels, annotations). */
export function dictionary<T>(check: Check<T>): Check<Record<string, T>> {
  return (value, at) => {
    const record = asRecord(value, at);
    return Object.fromEntries(
      Object.entries(record).map(([key, field]) => [key, check(field, `${at}.${key}`)]),
    );
  };
}

function asRecord(value: unknown, at: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new SchemaMismatch(at, "an object", value);
  return value as Record<string, unknown>;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  // Never the value itself: it may be a secret (a token in the wrong field), or text meant for a terminal.
  return typeof value === "undefined" ? "nothing" : `a ${typeof value}`;
}
