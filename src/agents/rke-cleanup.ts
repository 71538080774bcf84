import type { Deadline } from "../deadline.js";
import type { Docker } from "../docker/engine.js";
import { dockerError, isNotFound } from "../docker/engine.js";
import { runToCompletion } from "../docker/one-shot.js";
import { EnrollError } from "../errors.js";
import type { Logger } from "../log.js";

// Rancher's documented clean-up of an RKE1 node ("Removing Kubernetes Components from Nodes", and the agent's own
// `agent clean node`), limited to what RKE and Rancher made: not every container and volume of the machine.

/** The containers RKE and Rancher create on a node (rke's services and hosts packages, Rancher's share-mnt). */
const RKE_CONTAINERS = new Set([
  "etcd",
  "etcd-rolling-snapshots",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kubelet",
  "kube-proxy",
  "nginx-proxy",
  "service-sidekick",
  "share-mnt",
  "cert-deployer",
  "rke-bundle-cert",
  "rke-log-linker",
  "rke-log-cleaner",
  "rke-etcd-port-listener",
  "rke-cp-port-listener",
  "rke-worker-port-listener",
]);
/** The label of every container of the rancher/rancher-agent image (the Dockerfile's LABEL). */
const AGENT_IMAGE_LABEL = "io.cattle.agent";

/** The directories the docs list for an RKE1 node. */
export const RKE_PATHS = [
  "/etc/ceph",
  "/etc/cni",
  "/etc/kubernetes",
  "/etc/rancher",
  "/opt/cni",
  "/opt/rke",
  "/run/secrets/kubernetes.io",
  "/run/calico",
  "/run/flannel",
  "/var/lib/calico",
  "/var/lib/etcd",
  "/var/lib/cni",
  "/var/lib/kubelet",
  "/var/lib/rancher",
  "/var/log/containers",
  "/var/log/kube-audit",
  "/var/log/pods",
  "/var/run/calico",
];
/** Their parents, bind-mounted under /host: the engine's machine's folders, which need not be ours. */
const HOST_FOLDERS = ["/etc", "/opt", "/run", "/var/lib", "/var/log", "/var/run"];
const HOST = "/host";

// Unmounts what kubelet mounted below a path (its tmpfs secrets), then removes it; prints what went.
const REMOVE_PATHS = `for path in "$@"; do
  target=${HOST}$path
  [ -e "$target" ] || [ -L "$target" ] || continue
  awk -v p="$target" '$2 == p || index($2, p "/") == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r mount; do umount "$mount" 2>/dev/null || umount -l "$mount"; done
  if rm -rf "$target"; then echo "removed $path"; else echo "kept $path"; fi
done`;

/**
 * Removes the containers RKE created (with their anonymous volumes) and the directories the docs list, the latter
 * through the engine with the agent's image, as its bind mounts see them. Answers exactly what went.
 */
export async function cleanRkeNode(
  docker: Docker,
  image: string,
  deadline: Deadline,
  log: Logger,
): Promise<string[]> {
  const containers = await removeRkeContainers(docker);
  const spec = {
    image,
    entrypoint: ["sh", "-c", REMOVE_PATHS, "sh", ...RKE_PATHS],
    cmd: [],
    env: [],
    binds: HOST_FOLDERS.map((folder) => `${folder}:${HOST}${folder}`),
    privileged: true,
    labels: {},
  };
  const run = await runToCompletion(docker, spec, deadline, (line) => log.debug({ line }, "clean-up output"));
  const kept = run.output.filter((line) => line.startsWith("kept "));
  if (run.exitCode !== 0 || kept.length) {
    throw new EnrollError(
      "docker",
      `the node clean-up could not remove everything (exit code ${run.exitCode}): ${run.output.join("; ")}`,
      "Reboot the machine (kubelet's mounts go with it) and run down --purge again.",
    );
  }
  const paths = run.output.flatMap((line) => (line.startsWith("removed ") ? [line.slice(8)] : []));
  return [...containers, ...paths];
}

/** RKE's containers, kubelet's pod containers and the agent image's; answers "container NAME" and "volume NAME". */
async function removeRkeContainers(docker: Docker): Promise<string[]> {
  const all = await docker
    .listContainers({ all: true })
    .catch((error: unknown) => Promise.reject(dockerError("cannot list containers", error)));
  const removed: string[] = [];
  for (const container of all) {
    const name = (container.Names[0] ?? "").replace(/^\//, "");
    const rke = RKE_CONTAINERS.has(name) || name.startsWith("k8s_") || AGENT_IMAGE_LABEL in container.Labels;
    if (!rke) continue;
    await docker
      .getContainer(container.Id)
      .remove({ force: true, v: true })
      .catch((error: unknown) => {
        if (!isNotFound(error)) throw dockerError(`cannot remove container ${name}`, error);
      });
    removed.push(`container ${name}`);
    for (const volume of container.Mounts.filter((mount) => mount.Type === "volume" && mount.Name)) {
      if (await gone(docker, volume.Name ?? "")) removed.push(`volume ${volume.Name}`);
    }
  }
  return removed;
}

async function gone(docker: Docker, volume: string): Promise<boolean> {
  try {
    await docker.getVolume(volume).inspect();
    return false;
  } catch (error) {
    if (isNotFound(error)) return true;
    throw dockerError(`cannot inspect volume ${volume}`, error);
  }
}
