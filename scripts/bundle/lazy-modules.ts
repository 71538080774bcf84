// esbuild plugin for the single executable's scripts: modules that are imported at the top but needed only by
// some commands (or by features we never use) become stand-ins that load the module on first use: a property
// read, or a call. For plain objects and plain functions only, not for classes that others extend.
import type { Plugin } from "esbuild";
import { createRequire, isBuiltin } from "node:module";
import { basename, dirname, join } from "node:path";

export interface LazyModule {
  /** As written in the import: a built-in module, a package or a relative path. */
  request: string;
  /** Only where this file (a path ending) imports it; the build fails when it finds no such import. */
  importer?: string;
}

const NAMESPACE = "lazy-module";

export function lazyModules(modules: LazyModule[], root: string): Plugin {
  const require = createRequire(join(root, "package.json"));
  const escape = (request: string) => request.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const filter = new RegExp(`^(node:)?(${modules.map((module) => escape(module.request)).join("|")})$`);
  // A dependency that moved its code would silently load everything at once again.
  const expected = new Set(modules.filter((module) => module.importer));
  return {
    name: "lazy-modules",
    setup(plugin) {
      plugin.onResolve({ filter }, async ({ path, importer, resolveDir, kind, namespace, pluginData }) => {
        // The stand-in's own require() is the real one.
        if (namespace === NAMESPACE || pluginData === NAMESPACE) return undefined;
        const request = path.replace(/^node:/, "");
        const lazy = modules.find(
          (module) => module.request === request && importer.endsWith(module.importer ?? ""),
        );
        if (!lazy) return undefined;
        expected.delete(lazy);
        if (isBuiltin(path)) return { path: `node:${request}`, namespace: NAMESPACE };
        const real = await plugin.resolve(path, { importer, resolveDir, kind, pluginData: NAMESPACE });
        return real.errors.length > 0 ? { errors: real.errors } : { path: real.path, namespace: NAMESPACE };
      });
      plugin.onLoad({ filter: /.*/, namespace: NAMESPACE }, ({ path }) => {
        const builtin = path.startsWith("node:");
        return {
          contents: standIn(builtin ? path : `./${basename(path)}`, require(path)),
          resolveDir: builtin ? root : dirname(path),
        };
      });
      plugin.onEnd(() => {
        if (expected.size > 0)
          throw new Error(`imports to make lazy not found: ${JSON.stringify([...expected])}`);
      });
    },
  };
}

/** Same properties (as getters) and, for a function, same call; the module loads on the first use of either. */
function standIn(id: string, exports: unknown): string {
  const target =
    typeof exports === "function"
      ? "function (...args) { return new.target ? Reflect.construct(load(), args, new.target) : load().apply(this, args); }"
      : "{}";
  if (typeof exports !== "function" && (typeof exports !== "object" || exports === null))
    throw new Error(`${id} exports neither an object nor a function`);
  const properties = Object.keys(exports).map(
    (key) => `${JSON.stringify(key)}: { enumerable: true, get: () => load()[${JSON.stringify(key)}] }`,
  );
  return [
    `let loaded;`,
    `const load = () => (loaded ??= require(${JSON.stringify(id)}));`,
    `module.exports = Object.defineProperties(${target}, { ${properties.join(", ")} });`,
  ].join("\n");
}
