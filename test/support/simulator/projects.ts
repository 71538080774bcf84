import { collectionReply } from "./collections.js";
import { ApiError } from "./errors.js";
import { jsonReply, type Exchange, type Reply } from "./http.js";
import { renderResource } from "./resources.js";
import type { ApiRoute } from "./routes.js";
import { isMember, type KeyRecord } from "./store.js";
import type { Project } from "./types.js";
import type { World } from "./world.js";

const PROJECT_FILTERS = [
  "allowSystemRole",
  "created",
  "description",
  "healthState",
  "id",
  "kind",
  "name",
  "orchestration",
  "removed",
  "state",
  "uuid",
] as const;

/** `/projects/<id>`: the project itself (access was checked when the scope was resolved). */
export function serveProject(world: World, ex: Exchange, route: ApiRoute, projectId: string): Reply {
  if (ex.method !== "GET") throw new ApiError(405);
  const project = world.store.projects.get(projectId);
  if (!project) throw new ApiError(404);
  return jsonReply(200, renderProject(ex.origin, route, project));
}

/** `/projects`: the projects the caller may see, with Cattle's case-insensitive name filter. */
export function serveProjectList(world: World, ex: Exchange, route: ApiRoute, key: KeyRecord): Reply {
  if (ex.method !== "GET") throw new ApiError(405);
  if (route.id !== undefined) throw new ApiError(404);
  const render = (project: Project) => renderProject(ex.origin, route, project);
  const spec = { resourceType: "project", filters: PROJECT_FILTERS, caseInsensitive: ["name"], render };
  return collectionReply(ex, spec, visibleProjects(world, ex, key));
}

/** Environment keys see their project; users their memberships, admins everything with `all=true`. */
function visibleProjects(world: World, ex: Exchange, key: KeyRecord): Project[] {
  const all = [...world.store.projects.values()];
  if (key.kind === "project") return all.filter((p) => p.id === key.accountId);
  if (key.admin && ex.url.searchParams.get("all") === "true") return all;
  return all.filter((p) => isMember(key, p.id));
}

function renderProject(origin: string, route: ApiRoute, project: Project): Record<string, unknown> {
  const self = `${origin}/${route.version}/projects/${project.id}`;
  return renderResource(
    { id: project.id, type: "project", baseType: "project" },
    {
      self,
      hosts: `${self}/hosts`,
      registrationTokens: `${self}/registrationtokens`,
      schemas: `${self}/schemas`,
    },
    {},
    project,
  );
}
