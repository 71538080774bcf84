// Which packages go to vendor.js: those that the CLI imports only behind a dynamic import(), found in esbuild's
// import graph of src/, so that a package added to a command's flow lands there without a list to keep.
import { build, type Metafile } from "esbuild";
import { isBuiltin } from "node:module";

const STATIC = new Set(["import-statement", "require-call"]);

export async function lazilyImportedPackages(entry: string): Promise<string[]> {
  const { metafile } = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    metafile: true,
    write: false,
    outdir: "unused",
    logLevel: "silent",
  });
  const imports = Object.values(metafile.inputs).flatMap((input) => input.imports);
  const packages = (from: Metafile["inputs"][string]["imports"]) =>
    from.filter((edge) => edge.external && isPackage(edge.path)).map((edge) => edge.path);
  const eager = new Set(packages(staticImports(metafile, entry)));
  return [...new Set(packages(imports))].filter((name) => !eager.has(name)).sort();
}

/** A package, not a built-in module nor a relative import (TypeScript's type-only ones show as external). */
const isPackage = (specifier: string) => !isBuiltin(specifier) && !/^[./]/.test(specifier);

/** Every import of the files that the entry reaches through static imports alone. */
function staticImports(metafile: Metafile, entry: string) {
  const entryInput = Object.keys(metafile.inputs).find((path) => entry.endsWith(path))!;
  const seen = new Set([entryInput]);
  const queue = [entryInput];
  const found = [];
  for (let file = queue.shift(); file; file = queue.shift()) {
    for (const edge of metafile.inputs[file]!.imports) {
      if (!STATIC.has(edge.kind)) continue;
      found.push(edge);
      if (edge.external || seen.has(edge.path)) continue;
      seen.add(edge.path);
      queue.push(edge.path);
    }
  }
  return found;
}
