import { chmod, copyFile, mkdir, symlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { mustRun, runCommand } from "./command.js";
import { docker, type Engine } from "./engine.js";

export const AGENT_IMAGE = "rancher/agent:v1.2.11";
export const RANCHER2_AGENT_IMAGE = "rancher/rancher-agent:v2.8.15";

const script = (name: string) => fileURLToPath(new URL(`./agent/${name}`, import.meta.url));

export interface AgentImages {
  /** The fake 1.6 agent under the name the real server hands out. */
  agentImage: string;
  /** The same image in the test bed's registry: pulling it is a real image pull. */
  registryAgentImage: string;
  /** The fake 2.x agent (rancher/rancher-agent), and its copy in the registry. */
  rancher2AgentImage: string;
  registryRancher2AgentImage: string;
}

/**
 * Each fake agent: its entrypoint script (and where the real image has its entrypoint) and the image
 * configuration its Dockerfile sets. The entrypoints differ, so the images share no layer: each pull is a real one.
 */
const IMAGES = [
  {
    image: AGENT_IMAGE,
    entrypoint: { script: "run.sh", path: "/run.sh" },
    changes: [
      'ENTRYPOINT ["/run.sh"]',
      "LABEL io.rancher.container.system=rancher-agent",
      `ENV RANCHER_AGENT_IMAGE=${AGENT_IMAGE}`,
    ],
  },
  {
    image: RANCHER2_AGENT_IMAGE,
    entrypoint: { script: "rancher-agent.sh", path: "/usr/bin/run.sh" },
    changes: [
      'ENTRYPOINT ["run.sh"]',
      "WORKDIR /var/lib/rancher",
      "LABEL io.cattle.agent=true",
      `ENV AGENT_IMAGE=${RANCHER2_AGENT_IMAGE}`,
    ],
  },
];

/** Builds both fake agent images on the engine and pushes a copy of each to the registry. */
export async function publishAgentImage(
  engine: Pick<Engine, "dockerHost">,
  registry: string,
  workDir: string,
): Promise<AgentImages> {
  const rootfs = join(workDir, "rootfs");
  await buildRootfs(rootfs);
  const [registryAgentImage = "", registryRancher2AgentImage = ""] = await Promise.all(
    IMAGES.map((image) => publish(engine, rootfs, image, registry, workDir)),
  );
  return {
    agentImage: AGENT_IMAGE,
    registryAgentImage,
    rancher2AgentImage: RANCHER2_AGENT_IMAGE,
    registryRancher2AgentImage,
  };
}

/** Imports the root file system and the image's entrypoint, pushes it to the registry; answers the latter name. */
async function publish(
  engine: Pick<Engine, "dockerHost">,
  rootfs: string,
  { image, entrypoint, changes }: (typeof IMAGES)[number],
  registry: string,
  workDir: string,
): Promise<string> {
  const extra = join(workDir, entrypoint.script);
  await copyInto(extra, script(entrypoint.script), entrypoint.path);
  await chmod(join(extra, entrypoint.path), 0o755);
  const tarball = `${extra}.tar`;
  const added = `.${entrypoint.path}`;
  await mustRun("tar", ["--numeric-owner", "-cf", tarball, "-C", rootfs, ".", "-C", extra, added]);
  await docker(engine, ["import", ...changes.flatMap((change) => ["--change", change]), tarball, image]);
  const inRegistry = `${registry}/${image}`;
  await docker(engine, ["tag", image, inRegistry]);
  await docker(engine, ["push", "--quiet", inRegistry]);
  return inRegistry;
}

/**
 * busybox with its applets, the machine's docker CLI and openssl (with their shared libraries, if any), and the
 * shell functions both fake agents source (/lib/agent.sh).
 * openssl verifies server certificates as the real agent's curl does: busybox wget cannot with a port in the URL.
 */
async function buildRootfs(rootfs: string): Promise<void> {
  for (const folder of ["bin", "etc", "root", "usr/bin", "usr/local/bin", "var/lib/rancher"]) {
    await mkdir(join(rootfs, folder), { recursive: true });
  }
  await mkdir(join(rootfs, "tmp"), { recursive: true, mode: 0o1777 });
  await chmod(join(rootfs, "tmp"), 0o1777);
  const busybox = await mustRun("which", ["busybox"]);
  await copyFile(busybox, join(rootfs, "bin/busybox"));
  for (const applet of (await mustRun(busybox, ["--list"])).split("\n")) {
    if (applet !== "busybox") await symlink("busybox", join(rootfs, "bin", applet));
  }
  const dockerCli = await mustRun("which", ["docker"]);
  const openssl = await mustRun("which", ["openssl"]);
  for (const program of [dockerCli, openssl]) {
    for (const file of [program, ...(await sharedLibraries(program))]) {
      await copyInto(rootfs, file, file === dockerCli ? "/usr/local/bin/docker" : file);
    }
  }
  await copyInto(rootfs, script("agent.sh"), "/lib/agent.sh");
}

async function copyInto(rootfs: string, source: string, target: string): Promise<void> {
  await mkdir(dirname(join(rootfs, target)), { recursive: true });
  await copyFile(source, join(rootfs, target));
}

/** The shared libraries a dynamically linked program loads (Debian's docker CLI is; a static one has none). */
async function sharedLibraries(program: string): Promise<string[]> {
  const ldd = await runCommand("ldd", [program]);
  if (ldd.code !== 0) return [];
  return [...ldd.stdout.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((match) => match[1] ?? "");
}
