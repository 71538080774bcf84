// Builds the single executable for this machine's platform (Linux x64): a stripped copy of the Node.js binary
// running this script, with a single-executable-application blob (sea-config.json) injected, and a sha256 file.
// The blob holds main.js, the entry (main.ts), and as assets the CLI's two scripts with their code caches
// (../bundle/bundle.ts: app.js, and vendor.js with the heavy packages, run only when a command first needs one).
// Usage: npm run build:sea
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFile, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";
import { bundleCli, bundleEntry } from "../bundle/bundle.js";
import { buildStamp } from "../bundle/stamp.js";
import { APP_SCRIPT } from "../bundle/wrapped-script.js";

/** The marker Node.js looks for to know that a blob was injected (the same in every Node.js release). */
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");
const fromRoot = (path: string) => join(root, path);
const seaConfig = JSON.parse(await readFile(fromRoot("sea-config.json"), "utf8")) as {
  main: string;
  output: string;
  assets: Record<string, string>;
};
const asset = (name: string) => fromRoot(seaConfig.assets[name]!);
const stamp = await buildStamp(root);
const EXECUTABLE = fromRoot("dist-sea/rancher-enroll");

async function bundleScripts(): Promise<void> {
  await bundleCli({
    dir: dirname(asset(APP_SCRIPT)),
    vendorLoader: join(import.meta.dirname, "vendor-loader.ts"),
    stamp,
  });
  await bundleEntry(fromRoot(seaConfig.main), join(import.meta.dirname, "main.ts"), stamp);
}

async function makeExecutable(): Promise<void> {
  await run(process.execPath, ["--experimental-sea-config", "sea-config.json"], { cwd: root });
  await copyFile(process.execPath, EXECUTABLE);
  // Debug symbols: about 12 MB of Node.js 20's 99 MB. The fuse stays.
  await run("strip", [EXECUTABLE]);
  await run(fromRoot("node_modules/.bin/postject"), [
    ...[EXECUTABLE, "NODE_SEA_BLOB", fromRoot(seaConfig.output)],
    ...["--sentinel-fuse", SEA_FUSE],
  ]);
}

async function smokeTest(): Promise<void> {
  const { stdout } = await run(EXECUTABLE, ["--version"], { env: { PATH: "/nonexistent" } });
  if (!stdout.startsWith(`${stamp.version} `))
    throw new Error(`${EXECUTABLE} --version printed "${stdout.trim()}"`);
}

/** `sha256sum --check rancher-enroll.sha256`, in the folder of a copy, verifies it. */
async function writeChecksum(): Promise<string> {
  const digest = createHash("sha256")
    .update(await readFile(EXECUTABLE))
    .digest("hex");
  await writeFile(`${EXECUTABLE}.sha256`, `${digest}  ${basename(EXECUTABLE)}\n`);
  return digest;
}

await rm(dirname(EXECUTABLE), { recursive: true, force: true });
for (const path of [seaConfig.main, seaConfig.output, ...Object.values(seaConfig.assets)])
  await mkdir(dirname(fromRoot(path)), { recursive: true });
await bundleScripts();
await makeExecutable();
await smokeTest();
const digest = await writeChecksum();
const megabytes = ((await stat(EXECUTABLE)).size / 1e6).toFixed(1);
console.log(`${EXECUTABLE}: ${megabytes} MB, Node.js ${process.version}, sha256 ${digest}`);
