// Build step of both artifacts (bundle.ts): runs one of their scripts as they will (wrapped, require() of
// built-in modules only) with the CLI arguments given, calls every loader the script exports (the vendor
// script's packages), then writes the script's V8 code cache, which holds every function compiled by then.
// Usage: node --import tsx scripts/bundle/warm-up.ts SCRIPT CACHE_FILE [arguments...]
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Script } from "node:vm";
import { builtinOnly, type ScriptModule, type WrappedScript } from "./wrapped-script.js";

const [scriptFile, cacheFile, ...args] = process.argv.slice(2);
if (!scriptFile || !cacheFile) throw new Error("usage: warm-up.ts SCRIPT CACHE_FILE [arguments...]");

const script = new Script(readFileSync(scriptFile, "utf8"), { filename: scriptFile });
process.argv = [process.execPath, scriptFile, ...args];
process.on("exit", () => writeFileSync(cacheFile, script.createCachedData()));
const module: ScriptModule = { exports: {} };
(script.runInThisContext() as WrappedScript)(
  builtinOnly(createRequire(import.meta.url)),
  module,
  scriptFile,
  ".",
);
for (const load of Object.values(module.exports as Record<string, unknown>))
  if (typeof load === "function") (load as () => unknown)();
