// Builds the npm package's dist/ the way the single executable is built (scripts/bundle/bundle.ts), so that it starts
// as fast: cli.js (`bin`, main.ts) answers `--version` alone itself, else runs app.js, the CLI with commander, and vendor.js, the heavy packages, loaded
// only by the commands that use them, each with its V8 code cache. All CommonJS (dist/package.json says so) and
// self-contained: the package has no dependencies to install.
// Usage: npm run build
import { execFile } from "node:child_process";
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { bundleCli, bundleEntry } from "../bundle/bundle.js";
import { buildStamp } from "../bundle/stamp.js";

const root = join(import.meta.dirname, "../..");
const dist = join(root, "dist");
const cli = join(dist, "cli.js");
const stamp = await buildStamp(root);

await rm(dist, { recursive: true, force: true });
await mkdir(dist);
await bundleCli({ dir: dist, vendorLoader: join(import.meta.dirname, "vendor-loader.ts"), stamp });
await bundleEntry(cli, join(import.meta.dirname, "main.ts"), stamp);
await writeFile(join(dist, "package.json"), `${JSON.stringify({ type: "commonjs" }, null, 2)}\n`);
await chmod(cli, 0o755);
const { stdout } = await promisify(execFile)(process.execPath, [cli, "--version"]);
if (!stdout.startsWith(`${stamp.version} `)) throw new Error(`${cli} --version printed "${stdout.trim()}"`);
console.log(`${cli}: ${stdout.trim()}`);
