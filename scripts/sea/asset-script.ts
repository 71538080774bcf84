// The scripts of the single executable (scripts/sea/build.ts) are assets, each a function expression
// `(function (require, module, __filename, __dirname) { ... })` compiled with the V8 code cache stored beside it.
import { isBuiltin } from "node:module";
import { getAsset } from "node:sea";
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

/** Runs one asset script and answers its module.exports. Its __filename is the executable. */
export function runAssetScript(name: string): unknown {
  const script = new Script(getAsset(name, "utf8"), {
    filename: name,
    cachedData: Buffer.from(getAsset(codeCacheOf(name))),
  });
  const module: ScriptModule = { exports: {} };
  (script.runInThisContext() as WrappedScript)(builtinOnly(require), module, __filename, __dirname);
  return module.exports;
}
