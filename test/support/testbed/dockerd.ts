import http from "node:http";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { startDaemon } from "./process.js";
import { waitFor } from "./wait.js";

export interface PrivateDockerd {
  socket: string;
  stop(): Promise<void>;
}

/** The machine's folders that are copy-on-write for the private engine. */
const MACHINE_PATHS = ["/etc", "/opt", "/var/lib", "/var/log"];

export interface DockerdOptions {
  /** Folder for the daemon's data, state, socket and log. */
  dir: string;
  /** Host path that the daemon's containers see as /var/lib/rancher. */
  rancherDir: string;
  bridge: string;
  runtime: string;
}

// Runs inside a mount namespace of its own, as if on a machine of its own. A private /run means the daemon can
// also serve /var/run/docker.sock (the path Rancher's commands bind-mount into agents) without touching the
// machine's. /etc, /opt, /var/lib and /var/log are copy-on-write (overlays whose changes land under
// $MACHINE_DIR), so what a 2.x agent or a node clean-up writes or removes there (/etc/kubernetes, /var/lib/etcd,
// /opt/rke, ...) stays the test bed's. /var/lib/rancher, bind-mounted by the 1.6 agent, is the test bed's folder
// (engine.ts's resetEngine binds it again after a node clean-up removed it).
const NAMESPACE_SETUP = `set -e
mount -t tmpfs tmpfs "$(readlink -f /var/run)"
for path in ${MACHINE_PATHS.join(" ")}; do
  mkdir -p "$MACHINE_DIR$path/upper" "$MACHINE_DIR$path/work"
  mount -t overlay overlay -o "lowerdir=$path,upperdir=$MACHINE_DIR$path/upper,workdir=$MACHINE_DIR$path/work" "$path"
done
mkdir -p /var/lib/rancher
mount --bind "$RANCHER_DIR" /var/lib/rancher
exec "$@"`;

/** Starts dockerd in its own mount namespace and resolves once it answers on its socket. */
export async function startPrivateDockerd(options: DockerdOptions): Promise<PrivateDockerd> {
  const { dir, rancherDir, bridge, runtime } = options;
  const socket = join(dir, "docker.sock");
  await mkdir(rancherDir, { recursive: true });
  const dockerd = [
    "dockerd",
    `--data-root=${join(dir, "data")}`,
    `--exec-root=${join(dir, "exec")}`,
    `--pidfile=${join(dir, "docker.pid")}`,
    `--host=unix://${socket}`,
    "--host=unix:///var/run/docker.sock",
    "--iptables=false",
    "--ip6tables=false",
    `--bridge=${bridge}`,
    `--add-runtime=privileged=${runtime}`,
    "--default-runtime=privileged",
    "--shutdown-timeout=5",
  ];
  const inNamespace = [
    ...["--mount", "--propagation", "private", "--", "env"],
    ...[`RANCHER_DIR=${rancherDir}`, `MACHINE_DIR=${join(dir, "machine")}`],
  ];
  const setup = ["sh", "-c", NAMESPACE_SETUP, "sh", ...dockerd];
  const daemon = await startDaemon("unshare", [...inNamespace, ...setup], join(dir, "dockerd.log"));
  try {
    await waitFor("dockerd did not start", () => pingDocker(socket), {
      timeoutMs: 60_000,
      abort: daemon.exitReason,
    });
  } catch (error) {
    const tail = await daemon.logTail();
    await daemon.stop();
    throw new Error(`${(error as Error).message}\n--- dockerd log (tail) ---\n${tail}`);
  }
  return { socket, stop: () => daemon.stop() };
}

function pingDocker(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ socketPath, path: "/_ping", timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on("error", () => resolve(false));
    request.on("timeout", () => request.destroy());
  });
}
