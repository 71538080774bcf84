/** How the `/v3` API shows each record: norman resources with links, the state summarised from conditions. */
import { tokenCommands } from "./commands.js";
import { summarize, type Summary } from "./conditions.js";
import type { RegistrationToken, V3Cluster, V3Node } from "./types.js";
import type { V3World } from "./world.js";

/** What rendering depends on besides the record: `<origin>/v3` and the request's origin. */
export interface RenderContext {
  base: string;
  origin: string;
}

const RKE1_WAITING = "waiting for etcd, controlplane and worker nodes to be registered";
const RKE2_WAITING = "waiting for at least one control plane, etcd, and worker node to be registered";
const V2PROV_OWNER = "provisioning.cattle.io/v1, Kind=Cluster";

function clusterSummary(cluster: V3Cluster): Summary {
  if (cluster.phase === "active") return { state: "active", transitioning: "no", transitioningMessage: "" };
  const message =
    cluster.phase === "provisioning"
      ? "[etcd] Building up etcd plane.."
      : cluster.kind === "rke1"
        ? RKE1_WAITING
        : RKE2_WAITING;
  return { state: "provisioning", transitioning: "yes", transitioningMessage: message };
}

export function renderCluster(
  world: V3World,
  ctx: RenderContext,
  cluster: V3Cluster,
): Record<string, unknown> {
  const self = `${ctx.base}/clusters/${cluster.id}`;
  const rke1 = cluster.kind === "rke1";
  return {
    id: cluster.id,
    type: "cluster",
    baseType: "cluster",
    name: cluster.name,
    uuid: cluster.uuid,
    created: cluster.created,
    createdTS: Date.parse(cluster.created),
    ...clusterSummary(cluster),
    driver: rke1 ? "rancherKubernetesEngine" : "rke2",
    provider: rke1 ? "rke" : "rke2",
    internal: false,
    nodeCount: world.store.nodesOf(cluster.id).length,
    agentEnvVars: cluster.agentEnvVars,
    annotations: rke1
      ? {}
      : {
          "objectset.rio.cattle.io/owner-gvk": V2PROV_OWNER,
          "objectset.rio.cattle.io/owner-name": cluster.name,
          "objectset.rio.cattle.io/owner-namespace": "fleet-default",
        },
    labels: {},
    ...(rke1
      ? {
          rancherKubernetesEngineConfig: {
            kubernetesVersion: "v1.27.16-rancher1-1",
            ignoreDockerVersion: true,
          },
        }
      : {}),
    links: {
      self,
      remove: self,
      update: self,
      clusterRegistrationTokens: `${self}/clusterregistrationtokens`,
      nodes: `${self}/nodes`,
    },
    actions: {},
  };
}

export function renderToken(
  world: V3World,
  ctx: RenderContext,
  token: RegistrationToken,
  cluster: V3Cluster,
): Record<string, unknown> {
  const self = `${ctx.base}/clusterregistrationtokens/${token.id}`;
  return {
    id: token.id,
    type: "clusterRegistrationToken",
    baseType: "clusterRegistrationToken",
    name: token.name,
    namespaceId: null,
    clusterId: token.clusterId,
    uuid: token.uuid,
    created: token.created,
    createdTS: Date.parse(token.created),
    creatorId: token.name === "default-token" || token.name === "system" ? null : "user-admin",
    // A token has no conditions: the summariser calls it active as soon as it exists.
    state: "active",
    transitioning: "no",
    transitioningMessage: "",
    token: token.token,
    ...tokenCommands(world, token, cluster, ctx.origin),
    labels: {},
    annotations: {},
    links: { self, remove: self, update: self },
    actions: {},
  };
}

export function renderNode(ctx: RenderContext, node: V3Node): Record<string, unknown> {
  const self = `${ctx.base}/nodes/${node.id}`;
  const registered = node.nodeName !== "";
  const summary: Summary = node.removing
    ? { state: "removing", transitioning: "yes", transitioningMessage: "" }
    : summarize(node.conditions);
  const { address, internalAddress } = node.customConfig;
  return {
    id: node.id,
    type: "node",
    baseType: "node",
    name: "",
    namespaceId: null,
    clusterId: node.clusterId,
    uuid: node.uuid,
    created: node.created,
    createdTS: Date.parse(node.created),
    requestedHostname: node.requestedHostname,
    nodeName: node.nodeName,
    hostname: registered ? node.nodeName : "",
    imported: true,
    etcd: node.etcd,
    controlPlane: node.controlPlane,
    worker: node.worker,
    customConfig: node.customConfig,
    ipAddress: internalAddress || address,
    externalIpAddress: registered ? address : "",
    sshUser: "root",
    unschedulable: false,
    ...summary,
    conditions: node.conditions,
    labels: node.labels,
    annotations: node.annotations,
    taints: registered ? node.customConfig.taints.map(parseTaint) : [],
    ...(node.dockerInfo === undefined ? {} : { dockerInfo: node.dockerInfo }),
    links: { self, remove: self, update: self },
    actions: {},
  };
}

/** `key=value:Effect` (or `key:Effect`) as a Kubernetes taint. */
function parseTaint(text: string): Record<string, string> {
  const colon = text.lastIndexOf(":");
  const [pair, effect] = colon < 0 ? [text, ""] : [text.slice(0, colon), text.slice(colon + 1)];
  const eq = pair.indexOf("=");
  return eq < 0 ? { key: pair, effect } : { key: pair.slice(0, eq), value: pair.slice(eq + 1), effect };
}
