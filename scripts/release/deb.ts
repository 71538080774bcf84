// The .deb: the staged files (stage.ts), a control file, the maintainer scripts of packaging/deb/, Debian's
// changelog and lintian overrides; built by dpkg-deb as root:root.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzip, put, stage, withEnrollmentNote, type Payload } from "./stage.js";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");
export const MAINTAINER = "rancher-enroll maintainers <rancher-enroll@users.noreply.github.com>";

export interface DebBuild extends Payload {
  version: string;
  commit: string;
  outDir: string;
  /** dpkg-deb's compression: xz for a release, gzip for a quick test build. */
  compression?: "xz" | "gzip";
}

const DESCRIPTION = `Description: enroll this machine into Rancher
 rancher-enroll gets a registration token from the Rancher API, starts the
 Rancher agent exactly as the server's own command does (the agent container
 through Docker for Rancher 1.6 and RKE1 clusters, rancher-system-agent for
 RKE2/K3s clusters), waits until this machine is active in the environment or
 cluster, and reports the result as an exit code and one JSON object, for
 cloud-init, Ansible, Terraform or Packer.
 .
 The systemd unit rancher-enroll.service enrolls the machine at boot; it is
 not enabled on installation. Removing the package leaves the machine enrolled.`;

function control(build: DebBuild, installedKb: number): string {
  return [
    "Package: rancher-enroll",
    `Version: ${build.version}`,
    "Architecture: amd64",
    `Maintainer: ${MAINTAINER}`,
    `Installed-Size: ${installedKb}`,
    // The Node.js binary inside links these dynamically.
    "Depends: libc6 (>= 2.28), libgcc-s1 | libgcc1, libstdc++6 (>= 8)",
    "Recommends: docker.io | docker-ce",
    "Section: admin",
    "Priority: optional",
    DESCRIPTION,
    "",
  ].join("\n");
}

const changelog = (build: DebBuild) =>
  [
    `rancher-enroll (${build.version}) unstable; urgency=medium`,
    "",
    `  * Release ${build.version}, built from commit ${build.commit}.`,
    "",
    // RFC 2822, as Debian's changelog wants it.
    ` -- ${MAINTAINER}  ${new Date().toUTCString().replace("GMT", "+0000")}`,
    "",
  ].join("\n");

async function installedKb(staging: string): Promise<number> {
  const { stdout } = await run("du", ["-sk", "--exclude=DEBIAN", staging]);
  return Number(stdout.split("\t")[0]);
}

/** DEBIAN/md5sums, as dpkg --verify reads it: one line per file, paths without the leading slash. */
async function md5sums(staging: string): Promise<string> {
  const { stdout } = await run(
    "sh",
    ["-c", "find . -path ./DEBIAN -prune -o -type f -printf '%P\\0' | sort -z | xargs -0 md5sum"],
    {
      cwd: staging,
    },
  );
  return stdout;
}

/** Builds rancher-enroll_VERSION_amd64.deb in outDir and answers its path. */
export async function buildDeb(build: DebBuild): Promise<string> {
  const staging = await mkdtemp(join(tmpdir(), "rancher-enroll-deb-"));
  try {
    await stage(staging, build, { unitDir: "/lib/systemd/system" });
    await put(staging, "/usr/share/doc/rancher-enroll/changelog.gz", gzip(changelog(build)));
    const overrides = await readFile(join(root, "packaging/deb/lintian-overrides"));
    await put(staging, "/usr/share/lintian/overrides/rancher-enroll", overrides);
    for (const script of ["postinst", "prerm", "postrm"]) {
      const text = await readFile(join(root, "packaging/deb", script), "utf8");
      await put(
        staging,
        `/DEBIAN/${script}`,
        script === "postrm" ? await withEnrollmentNote(text) : text,
        0o755,
      );
    }
    await put(staging, "/DEBIAN/md5sums", await md5sums(staging));
    await put(staging, "/DEBIAN/control", control(build, await installedKb(staging)));
    await mkdir(build.outDir, { recursive: true });
    const deb = join(build.outDir, `rancher-enroll_${build.version}_amd64.deb`);
    await run("dpkg-deb", ["--root-owner-group", `-Z${build.compression ?? "xz"}`, "--build", staging, deb]);
    return deb;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
