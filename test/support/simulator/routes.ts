export type ApiVersion = "v1" | "v2-beta";

/**
 * A parsed API path: `/<version>[/projects/<projectId>][/<collection>[/<id>[/...]]]`.
 * `/<version>/projects/<id>` alone addresses the project itself (collection undefined).
 */
export interface ApiRoute {
  version: ApiVersion;
  pathProjectId?: string;
  collection?: string;
  id?: string;
  /** Segments beyond the resource id; nothing we serve has any. */
  extra: string[];
}

/** Collection names are case-insensitive and accept the singular type name. */
const COLLECTION_ALIASES: Record<string, string> = {
  project: "projects",
  host: "hosts",
  registrationtoken: "registrationtokens",
};

export function parseApiPath(path: string): ApiRoute | undefined {
  const segments = path.split("/").filter(Boolean).map(decodeSegment);
  const [version, ...rest] = segments;
  if (version !== "v1" && version !== "v2-beta") return undefined;
  if (rest.length >= 2 && canonical(rest[0]) === "projects") {
    const [, pathProjectId, ...inner] = rest as [string, string, ...string[]];
    return { version, pathProjectId, ...collectionPart(inner) };
  }
  return { version, ...collectionPart(rest) };
}

function collectionPart(segments: string[]): Omit<ApiRoute, "version" | "pathProjectId"> {
  const [collection, id, ...extra] = segments;
  return {
    ...(collection === undefined ? {} : { collection: canonical(collection) }),
    ...(id === undefined ? {} : { id }),
    extra,
  };
}

function canonical(name: string | undefined): string {
  const lower = (name ?? "").toLowerCase();
  return COLLECTION_ALIASES[lower] ?? lower;
}

export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Links mirror how the request addressed the API: version and, if given in the path, the project. */
export function apiBase(origin: string, route: ApiRoute): string {
  const project = route.pathProjectId === undefined ? "" : `/projects/${route.pathProjectId}`;
  return `${origin}/${route.version}${project}`;
}
