// `npm run release`: every artifact of this version in release/: the single executable, the .deb and the .rpm that
// install it as /usr/bin/rancher-enroll (with the systemd unit and the man page), the npm package's tarball, the
// Ansible collection (examples/ansible/, versioned as the package), and SHA256SUMS over them. Builds the npm package (dist/) and the single executable (dist-sea/) first, then checks the
// .deb with lintian (no error allowed) and the .rpm with `rpm -qpi`/`rpm -qpl`.
// Needs, from Debian: dpkg-deb, lintian, rpm, help2man, ansible-galaxy (scripts/setup.sh installs them).
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { buildStamp } from "../bundle/stamp.js";
import { buildDeb } from "./deb.js";
import { writeManPage } from "./man.js";
import { buildRpm } from "./rpm.js";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");
const out = join(root, "release");

/** A build step whose output the user sees as it goes. */
function step(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")}: exit ${code}`)),
    );
  });
}

async function lintian(deb: string): Promise<string> {
  const result = await run("lintian", [
    "--display-info",
    "--suppress-tags",
    "spelling-error-in-binary",
    "--fail-on",
    "error",
    deb,
  ]).catch((error: { stdout?: string; message: string }) => {
    throw new Error(`lintian found errors in ${basename(deb)}:\n${error.stdout ?? error.message}`);
  });
  return result.stdout;
}

async function sha256sums(files: string[]): Promise<void> {
  const lines = [];
  for (const file of files) {
    const digest = createHash("sha256")
      .update(await readFile(file))
      .digest("hex");
    lines.push(`${digest}  ${basename(file)}\n`);
  }
  await writeFile(join(out, "SHA256SUMS"), lines.join(""));
}

await step("npm", ["run", "build"]);
await step("npm", ["run", "build:sea"]);
const stamp = await buildStamp(root);
await rm(out, { recursive: true, force: true });
await mkdir(out);
const executable = join(out, "rancher-enroll");
await step("npm", ["pack", "--silent", "--pack-destination", "release"]);
await copyFile(join(root, "dist-sea/rancher-enroll"), executable);
const work = await mkdtemp(join(tmpdir(), "rancher-enroll-release-"));
try {
  const manPage = join(work, "rancher-enroll.1");
  await writeManPage(executable, manPage, join(work, "commands.h2m"));
  const payload = { executable, manPage, ...stamp, outDir: out };
  const deb = await buildDeb(payload);
  const rpm = await buildRpm(payload);
  const tarball = join(out, `rancher-enroll-${stamp.version}.tgz`);
  await step("ansible-galaxy", ["collection", "build", "examples/ansible", "--output-path", "release"]);
  const collection = join(out, `rancher_enroll-enroll-${stamp.version}.tar.gz`);
  const artifacts = [executable, deb, rpm, tarball, collection];
  await sha256sums(artifacts);
  console.log(`lintian ${basename(deb)}:\n${(await lintian(deb)) || "(nothing to say)\n"}`);
  console.log((await run("rpm", ["-qpi", rpm])).stdout);
  console.log((await run("rpm", ["-qpl", rpm])).stdout);
  for (const file of [...artifacts, join(out, "SHA256SUMS")])
    console.log(`${basename(file).padEnd(40)} ${((await stat(file)).size / 1e6).toFixed(1).padStart(6)} MB`);
} finally {
  await rm(work, { recursive: true, force: true });
}
