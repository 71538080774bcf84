// The scripts of both artifacts (bundle.ts), app.js and vendor.js, are function expressions
// `(function (require, module, __filename, __dirname) { ... })`, each compiled with the V8 code cache stored beside
// it (warm-up.ts): the single executable keeps them as assets (scripts/sea/), the npm package as files (scripts/npm/).
import { isBuiltin } from "node:module";
import { Script } from "node:vm";

export interface ScriptModule {
  exports: unknown;
}

export type WrappedScript = (
  require: NodeJS.Require,
  module: ScriptModule,
  filename: string,
  dirname: string,
) => void;

export const APP_SCRIPT = "app.js";
export const VENDOR_SCRIPT = "vendor.js";

export const SCRIPT_WRAPPER = {
  banner: "(function (require, module, __filename, __dirname) {",
  footer: "})",
};

export const codeCacheOf = (script: string) => `${script}.cache`;

/**
 * require() for the scripts: built-in modules, else "not found", as for the optional native addons that ssh2 tries.
 * (The executable's own require() would also fail, but print a warning on stderr first.)
 */
export function builtinOnly(require: NodeJS.Require): NodeJS.Require {
  return ((id: string) => {
    if (isBuiltin(id)) return require(id) as unknown;
    throw Object.assign(new Error(`Cannot find module '${id}'`), { code: "MODULE_NOT_FOUND" });
  }) as NodeJS.Require;
}

export interface ScriptSource {
  name: string;
  source: string;
  /** The code cache; V8 compiles anew when a Node.js of another version runs it (the npm package). */
  cachedData: Buffer;
  /** The caller's require() and module location: the executable's, or the npm package's cli.js. */
  require: NodeJS.Require;
  filename: string;
  dirname: string;
}

/** Runs one script and answers its module.exports. */
export function runWrappedScript({
  name,
  source,
  cachedData,
  require,
  filename,
  dirname,
}: ScriptSource): unknown {
  const script = new Script(source, { filename: name, cachedData });
  const module: ScriptModule = { exports: {} };
  (script.runInThisContext() as WrappedScript)(builtinOnly(require), module, filename, dirname);
  return module.exports;
}
