// Builds the single executable for this machine's platform (Linux x64): a stripped copy of the Node.js binary
// running this script, with a single-executable-application blob (sea-config.json) injected, and a sha256 file.
// The blob holds three scripts bundled by esbuild, each of the last two with a V8 code cache made by a run:
//   main.js    the entry: runs app.js (main.ts);
//   app.js     the CLI with commander, its code cache warmed by `--help`;
//   vendor.js  the packages that src/ imports only behind a dynamic import() (dockerode, got, pino,
//              systeminformation...: vendor-split.ts), run only when a command first needs one of them.
// Usage: npm run build:sea
import { build, type BuildOptions, type Plugin } from "esbuild";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFile, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";
import { APP_SCRIPT, codeCacheOf, SCRIPT_WRAPPER, VENDOR_SCRIPT } from "./asset-script.js";
import { lazyModules, type LazyModule } from "./lazy-modules.js";
import { lazilyImportedPackages } from "./vendor-split.js";

/**
 * Built-in modules imported at the top of app.js but needed only when a command runs: loaded on first use
 * (lazy-modules.ts), so that `--help` and `--version` do not pay for them (child_process alone brings net, stream
 * and dgram).
 */
const APP_LAZY: LazyModule[] = [
  ...["child_process", "readline", "net", "os", "fs/promises"],
  ...["http", "https", "tls", "dns", "crypto"],
].map((request) => ({ request }));
/**
 * Loaded by the vendor packages at once but used only by features we never use: about 10 MB of peak memory and
 * the time to load them, in every command that talks to Docker or to the server.
 */
const VENDOR_LAZY: LazyModule[] = [
  // BuildKit sessions (gRPC and protobuf), for image builds.
  { request: "./session", importer: "node_modules/dockerode/lib/docker.js" },
  // ssh2, for ssh:// engines.
  { request: "./ssh", importer: "node_modules/docker-modem/lib/modem.js" },
  // HTTP/2, with got's http2 option only.
  { request: "http2-wrapper", importer: "node_modules/got/dist/source/core/options.js" },
];
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
const { version } = JSON.parse(await readFile(fromRoot("package.json"), "utf8")) as { version: string };
const EXECUTABLE = fromRoot("dist-sea/rancher-enroll");
const VENDOR_PACKAGES = await lazilyImportedPackages(fromRoot("src/cli.ts"));

const common: BuildOptions = {
  bundle: true,
  platform: "node",
  target: "node20",
  // A single-executable application runs CommonJS only.
  format: "cjs",
  minify: true,
  keepNames: true,
  // ssh2 (dockerode's ssh:// transport) tries these native addons and falls back to JavaScript without them.
  external: ["cpu-features", "*.node"],
  logLevel: "silent",
  write: false,
};

/** src/version.ts reads package.json at run time; the executable carries the version instead. */
const bundledVersion: Plugin = {
  name: "bundled-version",
  setup(plugin) {
    plugin.onLoad({ filter: /[\\/]src[\\/]version\.ts$/ }, () => ({
      contents: `export const version = ${JSON.stringify(version)};`,
      loader: "ts",
    }));
  },
};

/** In app.js, each vendor package is a module that asks the vendor loader for it. */
const vendorPackages: Plugin = {
  name: "vendor-packages",
  setup(plugin) {
    plugin.onResolve({ filter: new RegExp(`^(${VENDOR_PACKAGES.join("|")})$`) }, ({ path }) => ({
      path,
      namespace: "vendor",
    }));
    plugin.onLoad({ filter: /.*/, namespace: "vendor" }, ({ path }) => ({
      contents: `module.exports = require("./vendor-loader.ts").vendorPackage(${JSON.stringify(path)});`,
      resolveDir: import.meta.dirname,
    }));
  },
};

async function bundle(file: string, options: BuildOptions): Promise<void> {
  const result = await build({ ...common, ...options });
  // A warning means code that the bundle cannot run as written (an emptied import.meta, an unresolved require).
  const problems = [...result.errors, ...result.warnings].map((message) => message.text);
  if (problems.length > 0) throw new Error(`esbuild (${basename(file)}):\n  ${problems.join("\n  ")}`);
  await writeFile(file, result.outputFiles![0]!.text);
}

/** app.js and vendor.js are function expressions (asset-script.ts). */
const wrapped: BuildOptions = {
  banner: { js: SCRIPT_WRAPPER.banner },
  footer: { js: SCRIPT_WRAPPER.footer },
};

async function bundleScripts(): Promise<void> {
  await bundle(fromRoot(seaConfig.main), { entryPoints: [join(import.meta.dirname, "main.ts")] });
  await bundle(asset(APP_SCRIPT), {
    entryPoints: [fromRoot("src/cli.ts")],
    plugins: [bundledVersion, vendorPackages, lazyModules(APP_LAZY, root)],
    ...wrapped,
  });
  const loaders = VENDOR_PACKAGES.map(
    (name) => `${JSON.stringify(name)}: () => require(${JSON.stringify(name)})`,
  );
  await bundle(asset(VENDOR_SCRIPT), {
    stdin: { contents: `module.exports = { ${loaders.join(", ")} };`, resolveDir: root },
    plugins: [lazyModules(VENDOR_LAZY, root)],
    ...wrapped,
  });
}

async function warmUp(script: string, args: string[] = []): Promise<void> {
  await run(process.execPath, [
    ...["--import", "tsx", join(import.meta.dirname, "warm-up.ts")],
    ...[asset(script), asset(codeCacheOf(script)), ...args],
  ]);
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
  if (stdout.trim() !== version) throw new Error(`${EXECUTABLE} --version printed "${stdout.trim()}"`);
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
await warmUp(APP_SCRIPT, ["--help"]);
await warmUp(VENDOR_SCRIPT);
await makeExecutable();
await smokeTest();
const digest = await writeChecksum();
const megabytes = ((await stat(EXECUTABLE)).size / 1e6).toFixed(1);
console.log(`${EXECUTABLE}: ${megabytes} MB, Node.js ${process.version}, sha256 ${digest}`);
