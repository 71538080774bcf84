import { randomUUID } from "node:crypto";
import { STANDARD_ACTIONS, beginTransition, newLifecycle, settleLater } from "./lifecycle.js";
import { actionLinks, renderResource, type RenderContext, type ResourceKind } from "./resources.js";
import type { ApiVersion } from "./routes.js";
import type { Agent } from "./store.js";
import type { Host, HostSeedSpec } from "./types.js";
import type { World } from "./world.js";

/** collectionFilters of the 1.6 host schema: hostname, agentIpAddress and labels are not among them. */
const HOST_FILTERS = [
  "accountId",
  "agentId",
  "agentState",
  "computeFree",
  "computeTotal",
  "created",
  "description",
  "hostTemplateId",
  "id",
  "isPublic",
  "kind",
  "localStorageMb",
  "memory",
  "milliCpu",
  "name",
  "physicalHostId",
  "removeAfter",
  "removeTime",
  "removed",
  "stackId",
  "state",
  "uri",
  "uuid",
] as const;

export const hostKind: ResourceKind<Host> = {
  actions: STANDARD_ACTIONS,
  list: (world, projectId) => world.store.hostsOf(projectId),
  spec: (ctx) => ({ resourceType: "host", filters: HOST_FILTERS, render: (host) => renderHost(ctx, host) }),
};

function renderHost(ctx: RenderContext, host: Host): Record<string, unknown> {
  const self = `${ctx.base}/hosts/${host.id}`;
  const { reportedUuid, ...visible } = host;
  return renderResource(
    { id: host.id, type: "host", baseType: "host" },
    { self },
    actionLinks(self, STANDARD_ACTIONS, host.state),
    { ...visible, state: displayedState(ctx.version, host), ...(ctx.admin ? { reportedUuid } : {}) },
  );
}

/** v2-beta (HostsFilter): an active host shows its agent's state; v1 shows the raw state. */
export function displayedState(version: ApiVersion, host: Host): string {
  return version === "v2-beta" && host.state === "active" && host.agentState ? host.agentState : host.state;
}

/** What an agent reports about its machine. */
export interface HostReport {
  hostname: string;
  reportedUuid: string;
  physicalHostUuid: string;
  agentIpAddress: string;
  agentImage: string;
  /** Parsed CATTLE_HOST_LABELS: applied only when the host is created. */
  createLabels: Record<string, string>;
}

/** First resource report of a machine: registering → activating → active (agentState follows the agent). */
export function createReportedHost(world: World, agent: Agent, report: HostReport): Host {
  const host = newHost(world, {
    ...newLifecycle(world.store.ids.id("h"), "registering", true),
    accountId: agent.accountId,
    hostname: report.hostname,
    agentState: null,
    agentId: agent.id,
    agentIpAddress: report.agentIpAddress,
    physicalHostId: world.store.physicalHostId(report.physicalHostUuid),
    reportedUuid: report.reportedUuid,
    labels: { ...autoLabels(report.agentImage), ...report.createLabels },
  });
  scheduleActivation(world, agent, host);
  return host;
}

function scheduleActivation(world: World, agent: Agent, host: Host): void {
  const { hostRegisteringMs, hostActivatingMs } = world.config.timings;
  world.scheduler.after(hostRegisteringMs, () => {
    if (host.state !== "registering") return;
    beginTransition(host, "activating");
    settleLater(world.scheduler, host, {
      via: "activating",
      to: "active",
      ms: hostActivatingMs,
      gate: (fn) => world.faults.hold("keepHostsFromActive").whenReleased(fn),
      then: () => (host.agentState = agent.connection),
    });
  });
}

/** Later reports refresh hostname, IP and the agent's own labels; user labels stay as created. */
export function updateReportedHost(host: Host, report: HostReport): void {
  host.hostname = report.hostname;
  host.agentIpAddress = report.agentIpAddress;
  host.labels = { ...host.labels, ...autoLabels(report.agentImage) };
}

function autoLabels(agentImage: string): Record<string, string> {
  return {
    "io.rancher.host.agent_image": agentImage,
    "io.rancher.host.docker_version": "17.03",
    "io.rancher.host.linux_kernel_version": "4.4",
    "io.rancher.host.os": "linux",
  };
}

/** Hosts whose agent is gone: stale or disconnected machines, or bulk for paging. */
export function seedHosts(world: World, projectId: string, spec: HostSeedSpec): Host[] {
  world.store.requireProject(projectId);
  return Array.from({ length: spec.count ?? 1 }, () => {
    const id = world.store.ids.id("h");
    return newHost(world, {
      ...newLifecycle(id, spec.state ?? "active", false),
      accountId: projectId,
      hostname: spec.hostname ?? `seeded-${id}`,
      agentState: spec.agentState === undefined ? "disconnected" : spec.agentState,
      agentId: world.store.ids.id("a"),
      agentIpAddress: spec.agentIpAddress ?? seededIp(world.store.hosts.length),
      physicalHostId: world.store.ids.id("ph"),
      reportedUuid: randomUUID(),
      labels: { ...spec.labels },
    });
  });
}

function seededIp(n: number): string {
  return `10.99.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
}

type HostIdentity = Omit<
  Host,
  "kind" | "name" | "description" | "uuid" | "memory" | "milliCpu" | "localStorageMb" | "instanceIds"
>;

function newHost(world: World, fields: HostIdentity): Host {
  const host: Host = {
    kind: "docker",
    name: null,
    description: null,
    uuid: randomUUID(),
    memory: 8370221056,
    milliCpu: 4000,
    localStorageMb: 48213,
    instanceIds: [],
    ...fields,
  };
  world.store.hosts.push(host);
  return host;
}
