/**
 * Steve's `/v1/cluster.x-k8s.io.machines[/<namespace>[/<name>]]`: list with `labelSelector` (and `limit` /
 * `continue` chunks), get, delete.
 */
import { ApiError } from "../errors.js";
import { jsonReply, type Exchange, type Reply } from "../http.js";
import type { CapiMachine } from "./types.js";
import type { V3World } from "./world.js";

const MACHINES = "/v1/cluster.x-k8s.io.machines";
const TYPE = "cluster.x-k8s.io.machine";

export function isSteveMachinesPath(path: string): boolean {
  return path === MACHINES || path.startsWith(`${MACHINES}/`);
}

export function serveMachines(world: V3World, ex: Exchange): Reply {
  const [namespace, name, ...extra] = ex.path.slice(MACHINES.length).split("/").filter(Boolean);
  if (extra.length > 0) throw new ApiError(404);
  const base = `${ex.origin}${MACHINES}`;
  if (name !== undefined) {
    const machine = world.store.machines.find((m) => m.namespace === namespace && m.name === name);
    if (!machine)
      throw new ApiError(404, { code: "NotFound", message: `machines.cluster.x-k8s.io "${name}" not found` });
    if (ex.method === "DELETE") deleteMachine(world, machine);
    else if (ex.method !== "GET") throw new ApiError(405);
    return jsonReply(200, renderMachine(base, machine));
  }
  if (ex.method !== "GET") throw new ApiError(405);
  const selector = parseSelector(ex.url.searchParams.get("labelSelector") ?? "");
  const machines = world.store.machines.filter(
    (m) => (namespace === undefined || m.namespace === namespace) && selector(m.labels),
  );
  const { page, next } = chunk(machines, ex.url.searchParams);
  return jsonReply(200, {
    type: "collection",
    links: { self: `${ex.origin}${ex.url.pathname}${ex.url.search}` },
    createTypes: { [TYPE]: base },
    actions: {},
    resourceType: TYPE,
    revision: String(world.store.machines.length),
    ...(next ? { continue: next } : {}),
    count: page.length,
    data: page.map((m) => renderMachine(base, m)),
  });
}

/** Steve's default `limit` (its README): a list is one chunk unless a smaller limit is asked for. */
const DEFAULT_LIMIT = 100_000;

/**
 * Kubernetes' chunking as Steve passes it on: at most `limit` items, and an opaque `continue` token while more
 * follow, which the next request gives back (here: the offset, base64). A token that does not parse is a 400.
 */
function chunk<T>(items: readonly T[], params: URLSearchParams): { page: T[]; next?: string } {
  const limit = Number(params.get("limit") ?? DEFAULT_LIMIT);
  const token = params.get("continue");
  const start = token === null ? 0 : Number(Buffer.from(token, "base64").toString("utf8"));
  if (!Number.isInteger(limit) || !Number.isInteger(start) || start < 0)
    throw new ApiError(400, { code: "BadRequest", message: "continue key is not valid" });
  const size = limit > 0 ? limit : DEFAULT_LIMIT;
  const end = start + size;
  return {
    page: items.slice(start, end),
    ...(end < items.length ? { next: Buffer.from(String(end)).toString("base64") } : {}),
  };
}

/** Equality-based selectors: `k=v`, `k==v`, `k!=v`, `k`, `!k`, joined by commas (all must hold). */
function parseSelector(text: string): (labels: Record<string, string>) => boolean {
  const tests = text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part): ((labels: Record<string, string>) => boolean) => {
      const match = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
      if (!match) {
        return part.startsWith("!") ? (l) => !(part.slice(1) in l) : (l) => part in l;
      }
      const [, key = "", op, value] = match;
      return op === "!=" ? (l) => l[key.trim()] !== value : (l) => l[key.trim()] === value;
    });
  return (labels) => tests.every((test) => test(labels));
}

function renderMachine(base: string, machine: CapiMachine): Record<string, unknown> {
  const self = `${base}/${machine.namespace}/${machine.name}`;
  const running = machine.phase === "Running";
  return {
    id: `${machine.namespace}/${machine.name}`,
    type: TYPE,
    links: { self, remove: self, update: self, view: self },
    apiVersion: "cluster.x-k8s.io/v1beta1",
    kind: "Machine",
    metadata: {
      name: machine.name,
      namespace: machine.namespace,
      uid: machine.uid,
      creationTimestamp: machine.created,
      labels: machine.labels,
      annotations: machine.annotations,
      state: {
        name: machine.phase.toLowerCase(),
        transitioning: !running,
        error: false,
        message: running ? "" : machine.phase === "Deleting" ? "" : "waiting for node",
      },
    },
    spec: {
      clusterName: machine.clusterName,
      bootstrap: { configRef: { apiVersion: "rke.cattle.io/v1", kind: "RKEBootstrap", name: machine.name } },
      infrastructureRef: { apiVersion: "rke.cattle.io/v1", kind: "CustomMachine", name: machine.name },
    },
    status: {
      phase: machine.phase,
      bootstrapReady: machine.phase !== "Pending",
      infrastructureReady: machine.phase !== "Pending",
      ...(running ? { nodeRef: { apiVersion: "v1", kind: "Node", name: machine.nodeName } } : {}),
      conditions: machine.conditions.map(({ lastUpdateTime, ...condition }) => ({
        ...condition,
        lastTransitionTime: lastUpdateTime,
      })),
    },
  };
}

/** `Deleting`, then gone with its v3 node (unless the removal hold is on). */
function deleteMachine(world: V3World, machine: CapiMachine): void {
  if (machine.phase === "Deleting") return;
  machine.phase = "Deleting";
  world.scheduler.after(world.config.timings.nodeRemovingMs, () =>
    world.faults.hold("keepNodesRemoving").whenReleased(() => {
      world.store.machines.splice(world.store.machines.indexOf(machine), 1);
      const node = world.store
        .nodesOf(machine.clusterId)
        .find((n) => n.annotations["cluster.x-k8s.io/machine"] === machine.name);
      if (node) world.store.removeNode(node);
    }),
  );
}
