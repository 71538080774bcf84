import { jsonReply, type Exchange, type Reply } from "./http.js";

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 3000;
const MODIFIERS = ["ne", "lt", "lte", "gt", "gte", "prefix", "like", "notlike", "null", "notnull"] as const;
type Modifier = "eq" | (typeof MODIFIERS)[number];

interface Condition {
  field: string;
  modifier: Modifier;
  values: string[];
}

export interface CollectionSpec<T> {
  resourceType: string;
  /** The schema's collectionFilters; any other query parameter is silently ignored, like Cattle does. */
  filters: readonly string[];
  /** Fields whose equality filter ignores case (project names). */
  caseInsensitive?: readonly string[];
  createTypes?: Record<string, string>;
  render: (item: T) => object;
}

/** A Cattle collection response: filtered, sorted, paged with `marker=m<offset>`. */
export function collectionReply<T extends object>(ex: Exchange, spec: CollectionSpec<T>, items: T[]): Reply {
  const conditions = parseConditions(ex.url.searchParams, spec.filters);
  const visible = items.filter(
    (item) =>
      (conditions.some((c) => c.field === "removed") || field(item, "removed") == null) &&
      conditions.every((c) =>
        matches(field(item, c.field), c, spec.caseInsensitive?.includes(c.field) ?? false),
      ),
  );
  const sort = parseSort(ex.url.searchParams, spec.filters);
  const page = paginate(ex, sortItems(visible, sort));
  const self = `${ex.origin}${ex.url.pathname}`;
  return jsonReply(200, {
    type: "collection",
    resourceType: spec.resourceType,
    links: { self },
    createTypes: spec.createTypes ?? {},
    actions: {},
    data: page.items.map(spec.render),
    sortLinks: Object.fromEntries(spec.filters.map((f) => [f, `${self}?sort=${f}`])),
    pagination: page.pagination,
    sort: sort ? { name: sort.field, order: sort.order } : null,
    filters: filtersEcho(spec.filters, conditions),
    createDefaults: {},
  });
}

function parseConditions(params: URLSearchParams, filters: readonly string[]): Condition[] {
  const conditions: Condition[] = [];
  for (const name of new Set(params.keys())) {
    const parsed = splitModifier(name);
    if (filters.includes(parsed.field)) conditions.push({ ...parsed, values: params.getAll(name) });
  }
  return conditions;
}

function splitModifier(name: string): { field: string; modifier: Modifier } {
  const modifier = MODIFIERS.find((m) => name.endsWith(`_${m}`));
  return modifier
    ? { field: name.slice(0, -modifier.length - 1), modifier }
    : { field: name, modifier: "eq" };
}

function field(item: object, name: string): unknown {
  return (item as Record<string, unknown>)[name];
}

function matches(value: unknown, condition: Condition, caseInsensitive: boolean): boolean {
  if (condition.modifier === "null") return value == null;
  if (condition.modifier === "notnull") return value != null;
  if (value == null) return condition.modifier === "ne" || condition.modifier === "notlike";
  const actual = caseInsensitive ? String(value).toLowerCase() : String(value);
  const wanted = condition.values.map((v) => (caseInsensitive ? v.toLowerCase() : v));
  const test = (v: string): boolean => compare(actual, condition.modifier, v);
  // Repeated parameters form an IN list; the negative modifiers become NOT IN.
  return condition.modifier === "ne" || condition.modifier === "notlike"
    ? wanted.every(test)
    : wanted.some(test);
}

function compare(actual: string, modifier: Modifier, wanted: string): boolean {
  switch (modifier) {
    case "eq":
      return actual === wanted;
    case "ne":
      return actual !== wanted;
    case "prefix":
      return actual.startsWith(wanted);
    case "like":
      return likePattern(wanted).test(actual);
    case "notlike":
      return !likePattern(wanted).test(actual);
    default: // lt, lte, gt, gte
      return compareOrdered(actual, modifier, wanted);
  }
}

function compareOrdered(actual: string, modifier: Modifier, wanted: string): boolean {
  const numeric = actual.trim() !== "" && wanted.trim() !== "" && !isNaN(+actual) && !isNaN(+wanted);
  const order = numeric ? Math.sign(+actual - +wanted) : actual < wanted ? -1 : actual > wanted ? 1 : 0;
  if (modifier === "lt") return order < 0;
  if (modifier === "lte") return order <= 0;
  if (modifier === "gt") return order > 0;
  return order >= 0;
}

/** SQL LIKE: `%` any run, `_` any one character. */
function likePattern(pattern: string): RegExp {
  const body = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    .replace(/%/g, ".*")
    .replace(/_/g, ".");
  return new RegExp(`^${body}$`, "s");
}

interface Sort {
  field: string;
  order: "asc" | "desc";
}

function parseSort(params: URLSearchParams, filters: readonly string[]): Sort | undefined {
  const name = params.get("sort");
  if (name === null || !filters.includes(name)) return undefined;
  return { field: name, order: params.get("order") === "desc" ? "desc" : "asc" };
}

/** Default order is by id (row number), like Cattle's primary-key order. */
function sortItems<T extends object>(items: T[], sort: Sort | undefined): T[] {
  const key = sort?.field ?? "id";
  const sign = sort?.order === "desc" ? -1 : 1;
  return [...items].sort((a, b) => sign * sortCompare(field(a, key), field(b, key)));
}

function sortCompare(a: unknown, b: unknown): number {
  const rowA = rowNumber(a);
  const rowB = rowNumber(b);
  if (rowA !== undefined && rowB !== undefined && rowA !== rowB) return rowA - rowB;
  return String(a ?? "").localeCompare(String(b ?? ""));
}

function rowNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  const match = typeof value === "string" ? /^1[a-z]+(\d+)$/.exec(value) : null;
  return match ? Number(match[1]) : undefined;
}

function paginate<T>(ex: Exchange, items: T[]): { items: T[]; pagination: Record<string, unknown> } {
  const limit = parseLimit(ex.url.searchParams.get("limit"));
  const offset = Number(/^m(\d+)$/.exec(ex.url.searchParams.get("marker") ?? "")?.[1] ?? 0);
  const partial = offset + limit < items.length;
  return {
    items: items.slice(offset, offset + limit),
    pagination: {
      first: null,
      previous: null,
      next: partial ? nextUrl(ex, offset + limit) : null,
      limit,
      total: null,
      partial,
    },
  };
}

function parseLimit(raw: string | null): number {
  const limit = Number(raw);
  if (raw === null || !Number.isInteger(limit) || limit <= 0) return DEFAULT_LIMIT;
  return Math.min(limit, MAX_LIMIT);
}

function nextUrl(ex: Exchange, offset: number): string {
  const params = new URLSearchParams(ex.url.searchParams);
  params.set("marker", `m${offset}`);
  return `${ex.origin}${ex.url.pathname}?${params.toString()}`;
}

function filtersEcho(filters: readonly string[], conditions: Condition[]): Record<string, unknown> {
  const echo: Record<string, unknown> = Object.fromEntries(filters.map((f) => [f, null]));
  for (const c of conditions) {
    const values = c.modifier === "null" || c.modifier === "notnull" ? [null] : c.values;
    const existing = (echo[c.field] as unknown[] | null) ?? [];
    echo[c.field] = [...existing, ...values.map((value) => ({ modifier: c.modifier, value }))];
  }
  return echo;
}
