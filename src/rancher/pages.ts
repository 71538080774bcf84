import { array, object, optional, string, type Check } from "../schema.js";
import type { ApiClient } from "./http.js";
import { onOurOrigin } from "./links.js";

/** Items asked for per page: the most Rancher's collections give (both lines), so one page is the usual case. */
const PAGE_SIZE = "1000";

/**
 * The most pages read of one collection. Rancher 1.6 environments and 2.x clusters run to a few thousand hosts or
 * nodes at most, so 100 pages (100,000 items at our page size, 10,000 at a server's default of 100) is far beyond
 * any real one, while a server that pages without end cannot make us hold or wait for ever more.
 */
export const MAX_PAGES = 100;

/** A Rancher collection (1.6 v2-beta and 2.x v3 alike): its items, and the link to the next page when there is one. */
export function collection<T>(item: Check<T>) {
  return object({ data: array(item), pagination: optional(object({ next: optional(string) })) });
}

/** Every item of a collection, page after page; `pagination.next` links stay on our origin (the client sees to it). */
export async function allPages<T>(
  http: ApiClient,
  path: string,
  item: Check<T>,
  filter: Record<string, string> = {},
): Promise<T[]> {
  const page = collection(item);
  let current = await http.get(path, page, { limit: PAGE_SIZE, ...filter });
  const items = [...current.data];
  const seen = new Set<string>();
  for (let next = current.pagination?.next; next; next = current.pagination?.next) {
    // Compared as the URL we would ask for: a loop may spell the same link two ways.
    const url = onOurOrigin(next, http.baseUrl).href;
    if (seen.has(url))
      throw http.notTheApi(`GET /${path}: its next-page link repeats after ${seen.size + 1} pages`);
    if (seen.size + 1 >= MAX_PAGES) throw http.notTheApi(`GET /${path}: it has more than ${MAX_PAGES} pages`);
    seen.add(url);
    current = await http.get(next, page);
    items.push(...current.data);
  }
  return items;
}
