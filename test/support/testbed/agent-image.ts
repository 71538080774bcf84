import { chmod, copyFile, mkdir, symlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { mustRun, runCommand } from "./command.js";
import { docker, type Engine } from "./engine.js";

export const AGENT_IMAGE = "rancher/agent:v1.2.11";

const entrypoint = fileURLToPath(new URL("./agent/run.sh", import.meta.url));

export interface AgentImages {
  /** The fake agent under the name the real server hands out. */
  agentImage: string;
  /** The same image in the test bed's registry: pulling it is a real image pull. */
  registryAgentImage: string;
}

/** Builds the fake rancher/agent image on the engine and pushes a copy to the registry. */
export async function publishAgentImage(
  engine: Pick<Engine, "dockerHost">,
  registry: string,
  workDir: string,
): Promise<AgentImages> {
  const rootfs = join(workDir, "rootfs");
  await buildRootfs(rootfs);
  const tarball = join(workDir, "rootfs.tar");
  await mustRun("tar", ["--numeric-owner", "-C", rootfs, "-cf", tarball, "."]);
  await docker(engine, [
    "import",
    ...["--change", 'ENTRYPOINT ["/run.sh"]'],
    ...["--change", "LABEL io.rancher.container.system=rancher-agent"],
    ...["--change", `ENV RANCHER_AGENT_IMAGE=${AGENT_IMAGE}`],
    tarball,
    AGENT_IMAGE,
  ]);
  const registryAgentImage = `${registry}/${AGENT_IMAGE}`;
  await docker(engine, ["tag", AGENT_IMAGE, registryAgentImage]);
  await docker(engine, ["push", "--quiet", registryAgentImage]);
  return { agentImage: AGENT_IMAGE, registryAgentImage };
}

/**
 * busybox with its applets, the machine's docker CLI and openssl (with their shared libraries, if any) and /run.sh.
 * openssl verifies server certificates as the real agent's curl does: busybox wget cannot with a port in the URL.
 */
async function buildRootfs(rootfs: string): Promise<void> {
  for (const folder of ["bin", "etc", "root", "usr/local/bin", "var/lib/rancher"]) {
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
  await copyInto(rootfs, entrypoint, "/run.sh");
  await chmod(join(rootfs, "run.sh"), 0o755);
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
