/** Norman's API conventions: error bodies, collections (filters, sort, marker paging). */
import type { ApiError } from "../errors.js";
import { jsonReply, type Exchange, type Reply } from "../http.js";

/** Norman's error code per status (httperror), for errors raised without a specific code. */
const CODES: Record<number, string> = {
  400: "InvalidFormat",
  401: "Unauthorized",
  403: "PermissionDenied",
  404: "NotFound",
  405: "MethodNotAllow",
  409: "Conflict",
  422: "InvalidBodyContent",
  429: "TooManyRequests",
  500: "ServerError",
  503: "ClusterUnavailable",
};

/** Error shape 1 (the API layer): a numeric `status` and a `code`. */
export function normanErrorBody(status: number, code?: string, message?: string, fieldName?: string): object {
  const resolved = code ?? CODES[status] ?? "ServerError";
  return {
    baseType: "error",
    type: "error",
    status,
    code: resolved,
    message: message ?? resolved,
    ...(fieldName === undefined ? {} : { fieldName }),
  };
}

export function normanError(error: ApiError): Reply {
  const { code, message, fieldName } = error.details;
  return jsonReply(error.status, normanErrorBody(error.status, code, message, fieldName), error.headers);
}

export const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 10000;
const STRING_MODIFIERS = ["eq", "ne", "null", "notnull", "in", "notin"] as const;
const BOOLEAN_MODIFIERS = ["eq", "ne"] as const;
type Modifier = (typeof STRING_MODIFIERS)[number];

interface Condition {
  field: string;
  modifier: Modifier;
  values: string[];
}

export interface CollectionSpec {
  resourceType: string;
  /** collectionFilters of the schema: any other query parameter is silently ignored, as norman does. */
  filters: readonly string[];
  /** Filters of boolean fields (eq and ne only). */
  booleans?: readonly string[];
  createTypes?: Record<string, string>;
}

/** A norman list: rendered items filtered, sorted (by id unless `sort=`) and paged with `marker=<id>`. */
export function collectionReply(
  ex: Exchange,
  spec: CollectionSpec,
  items: Array<Record<string, unknown>>,
): Reply {
  const params = ex.url.searchParams;
  const conditions = parseConditions(params, spec);
  const visible = items.filter((item) => conditions.every((c) => matches(item[c.field], c)));
  const sortField = spec.filters.includes(params.get("sort") ?? "") ? (params.get("sort") as string) : "id";
  const order = params.get("order") === "desc" ? "desc" : "asc";
  sortBy(visible, sortField, order);
  const self = `${ex.origin}${ex.url.pathname}${ex.url.search}`;
  const page = paginate(ex, visible);
  return jsonReply(200, {
    type: "collection",
    links: { self },
    createTypes: spec.createTypes ?? {},
    actions: {},
    pagination: page.pagination,
    sort: {
      order,
      reverse: markerUrl(ex, { order: order === "asc" ? "desc" : "asc" }, ["marker"]),
      links: {},
    },
    filters: filtersEcho(spec.filters, conditions),
    resourceType: spec.resourceType,
    data: page.items,
  });
}

function parseConditions(params: URLSearchParams, spec: CollectionSpec): Condition[] {
  const conditions: Condition[] = [];
  for (const key of new Set(params.keys())) {
    const underscore = key.lastIndexOf("_");
    const [field, modifier] =
      underscore > 0 ? [key.slice(0, underscore), key.slice(underscore + 1)] : [key, "eq"];
    if (!spec.filters.includes(field)) continue;
    const allowed: readonly string[] = spec.booleans?.includes(field) ? BOOLEAN_MODIFIERS : STRING_MODIFIERS;
    if (!allowed.includes(modifier)) continue;
    conditions.push({ field, modifier: modifier as Modifier, values: params.getAll(key) });
  }
  return conditions;
}

/** convert.ToString: absent is "", booleans and numbers print plainly. */
function text(value: unknown): string {
  return value === undefined || value === null ? "" : String(value);
}

function matches(value: unknown, c: Condition): boolean {
  const actual = text(value);
  switch (c.modifier) {
    case "eq":
      return actual === c.values[0];
    case "ne":
      return actual !== c.values[0];
    case "in":
      return c.values.includes(actual);
    case "notin":
      return !c.values.includes(actual);
    case "null":
      return actual === "";
    case "notnull":
      return actual !== "";
  }
}

function sortBy(items: Array<Record<string, unknown>>, field: string, order: "asc" | "desc"): void {
  const sign = order === "desc" ? -1 : 1;
  items.sort((a, b) => {
    const [x, y] = [text(a[field]), text(b[field])];
    return sign * (x < y ? -1 : x > y ? 1 : 0);
  });
}

/** ApplyPagination: the page starts at the item whose id is the marker; neighbours are named by marker URLs. */
function paginate(ex: Exchange, items: Array<Record<string, unknown>>) {
  const limit = parseLimit(ex.url.searchParams.get("limit"));
  const marker = ex.url.searchParams.get("marker") ?? "";
  const found = marker === "" ? -1 : items.findIndex((item) => item.id === marker);
  const start = Math.max(found, 0);
  const end = Math.min(start + limit, items.length);
  const pagination: Record<string, unknown> = {
    ...(marker === "" ? {} : { marker }),
    limit,
    total: items.length,
  };
  const partial = items.length > 0 && (start > 0 || end < items.length);
  if (partial) {
    const idAt = (i: number) => ({ marker: String(items[i]?.id) });
    pagination.first = markerUrl(ex, idAt(0));
    if (start > 0) pagination.previous = markerUrl(ex, idAt(Math.max(start - limit, 0)));
    if (end > start && end < items.length) pagination.next = markerUrl(ex, idAt(end));
    const last = items.length - limit;
    if (last > 0) pagination.last = markerUrl(ex, idAt(last));
    pagination.partial = true;
  }
  return { items: items.slice(start, end), pagination };
}

function parseLimit(raw: string | null): number {
  if (raw === null || !/^-?\d+$/.test(raw)) return DEFAULT_LIMIT;
  const limit = Number(raw);
  if (limit === -1 || limit > MAX_LIMIT) return MAX_LIMIT;
  return limit >= 0 ? limit : DEFAULT_LIMIT;
}

/** The request's URL with some query parameters replaced (and some dropped). */
function markerUrl(ex: Exchange, set: Record<string, string>, drop: string[] = []): string {
  const params = new URLSearchParams(ex.url.searchParams);
  for (const name of drop) params.delete(name);
  for (const [name, value] of Object.entries(set)) params.set(name, value);
  return `${ex.origin}${ex.url.pathname}?${params.toString()}`;
}

function filtersEcho(filters: readonly string[], conditions: Condition[]): Record<string, unknown> {
  const echo: Record<string, unknown> = Object.fromEntries(filters.map((f) => [f, null]));
  for (const c of conditions) {
    const existing = (echo[c.field] as unknown[] | null) ?? [];
    echo[c.field] = [...existing, { modifier: c.modifier, value: c.values[0] ?? "" }];
  }
  return echo;
}
