// The CLI as esbuild bundles it for both artifacts, the single executable (scripts/sea/build.ts) and the npm package
// (scripts/npm/build.ts): CommonJS, minified, two scripts (wrapped-script.ts), each with a V8 code cache made by a run:
//   app.js      the CLI with commander, its code cache warmed by `--help`; built-in modules that only commands need
//               load on first use;
//   vendor.js   the packages that src/ imports only behind a dynamic import() (vendor-split.ts), run only when a
//               command first needs one of them, through the artifact's vendor loader.
import { build, type BuildOptions, type Plugin } from "esbuild";
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { lazyModules, type LazyModule } from "./lazy-modules.js";
import type { Stamp } from "./stamp.js";
import { lazilyImportedPackages } from "./vendor-split.js";
import { APP_SCRIPT, codeCacheOf, SCRIPT_WRAPPER, VENDOR_SCRIPT } from "./wrapped-script.js";

/**
 * Built-in modules imported at the top of the app but needed only when a command runs: loaded on first use
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

const root = join(import.meta.dirname, "../..");
const run = promisify(execFile);

const common: BuildOptions = {
  bundle: true,
  platform: "node",
  target: "node20",
  // A single-executable application runs CommonJS only; the npm package is the same code.
  format: "cjs",
  minify: true,
  keepNames: true,
  // ssh2 (dockerode's ssh:// transport) tries these native addons and falls back to JavaScript without them.
  external: ["cpu-features", "*.node"],
  logLevel: "silent",
  write: false,
};

/**
 * src/version.ts reads package.json at run time and knows no commit; in a bundle, its `version` and `commit` are the
 * build's (and there is no package.json beside the single executable).
 */
function stamped(stamp: Stamp): Plugin {
  return {
    name: "stamped-version",
    setup(plugin) {
      plugin.onLoad({ filter: /[\\/]src[\\/]version\.ts$/ }, async ({ path }) => {
        let contents = await readFile(path, "utf8");
        for (const [name, value] of Object.entries(stamp)) {
          const declaration = new RegExp(`^export const ${name} = .*?;$`, "ms");
          if (!declaration.test(contents)) throw new Error(`${path}: no "export const ${name} = ...;"`);
          contents = contents.replace(declaration, `export const ${name} = ${JSON.stringify(value)};`);
        }
        return { contents, loader: "ts" };
      });
    },
  };
}

/** In the app, each vendor package is a module that asks the artifact's vendor loader for it. */
function vendorPackages(packages: string[], loader: string): Plugin {
  return {
    name: "vendor-packages",
    setup(plugin) {
      plugin.onResolve({ filter: new RegExp(`^(${packages.join("|")})$`) }, ({ path }) => ({
        path,
        namespace: "vendor",
      }));
      plugin.onLoad({ filter: /.*/, namespace: "vendor" }, ({ path }) => ({
        contents: `module.exports = require(${JSON.stringify(loader)}).vendorPackage(${JSON.stringify(path)});`,
        resolveDir: root,
      }));
    },
  };
}

/** One script, esbuild's problems (a warning too) failing the build. */
export async function bundle(file: string, options: BuildOptions): Promise<void> {
  const result = await build({
    ...common,
    ...options,
    external: [...common.external!, ...(options.external ?? [])],
  });
  // A warning means code that the bundle cannot run as written (an emptied import.meta, an unresolved require).
  const problems = [...result.errors, ...result.warnings].map((message) => message.text);
  if (problems.length > 0) throw new Error(`esbuild (${basename(file)}):\n  ${problems.join("\n  ")}`);
  await writeFile(file, result.outputFiles![0]!.text);
}

/**
 * The artifact's entry (main.js of the executable, cli.js of the npm package): it answers `--version` alone itself
 * (src/version.ts, stamped as in app.js), else runs app.js.
 */
export async function bundleEntry(file: string, entry: string, stamp: Stamp): Promise<void> {
  await bundle(file, { entryPoints: [entry], plugins: [stamped(stamp)] });
}

export interface CliScripts {
  /** Where app.js, vendor.js and their code caches go. */
  dir: string;
  /** The module (absolute path) whose vendorPackage(name) runs vendor.js the artifact's way. */
  vendorLoader: string;
  stamp: Stamp;
}

/** app.js and vendor.js (wrapped-script.ts), each with a code cache filled by a run. */
export async function bundleCli({ dir, vendorLoader, stamp }: CliScripts): Promise<void> {
  const packages = await lazilyImportedPackages(join(root, "src/cli.ts"));
  const wrapped = { banner: { js: SCRIPT_WRAPPER.banner }, footer: { js: SCRIPT_WRAPPER.footer } };
  await bundle(join(dir, APP_SCRIPT), {
    entryPoints: [join(root, "src/cli.ts")],
    plugins: [stamped(stamp), vendorPackages(packages, vendorLoader), lazyModules(APP_LAZY, root)],
    ...wrapped,
  });
  const loaders = packages.map((name) => `${JSON.stringify(name)}: () => require(${JSON.stringify(name)})`);
  await bundle(join(dir, VENDOR_SCRIPT), {
    stdin: { contents: `module.exports = { ${loaders.join(", ")} };`, resolveDir: root },
    plugins: [lazyModules(VENDOR_LAZY, root)],
    ...wrapped,
  });
  await warmUp(dir, APP_SCRIPT, ["--help"]);
  await warmUp(dir, VENDOR_SCRIPT);
}

async function warmUp(dir: string, script: string, args: string[] = []): Promise<void> {
  await run(process.execPath, [
    ...["--import", "tsx", join(import.meta.dirname, "warm-up.ts")],
    ...[join(dir, script), join(dir, codeCacheOf(script)), ...args],
  ]);
}
