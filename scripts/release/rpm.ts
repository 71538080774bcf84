// The .rpm, built with Debian's rpm tools (rpmbuild) from the same staged files as the .deb and
// packaging/rpm/rancher-enroll.spec.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { stage, withEnrollmentNote, type Payload } from "./stage.js";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");

export interface RpmBuild extends Payload {
  version: string;
  commit: string;
  outDir: string;
}

/** Builds rancher-enroll-VERSION-1.x86_64.rpm in outDir and answers its path. */
export async function buildRpm(build: RpmBuild): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), "rancher-enroll-rpm-"));
  try {
    const staging = join(work, "staging");
    await stage(staging, build, { unitDir: "/usr/lib/systemd/system" });
    const spec = join(work, "rancher-enroll.spec");
    await writeFile(
      spec,
      await withEnrollmentNote(await readFile(join(root, "packaging/rpm/rancher-enroll.spec"), "utf8")),
    );
    await mkdir(build.outDir, { recursive: true });
    const define = (name: string, value: string) => ["--define", `${name} ${value}`];
    await run("rpmbuild", [
      "-bb",
      ...define("_topdir", join(work, "rpmbuild")),
      ...define("_rpmdir", build.outDir),
      ...define("_build_name_fmt", "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}.rpm"),
      ...define("staging", staging),
      ...define("version", build.version),
      ...define("commit", build.commit),
      spec,
    ]);
    return join(build.outDir, `rancher-enroll-${build.version}-1.x86_64.rpm`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
