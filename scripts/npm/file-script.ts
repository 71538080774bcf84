// In the npm package, the scripts (../bundle/wrapped-script.ts) and their code caches are files beside cli.js.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { codeCacheOf, runWrappedScript } from "../bundle/wrapped-script.js";

/** Runs one script of dist/ and answers its module.exports. Its __filename is cli.js. */
export function runFileScript(name: string): unknown {
  const file = join(__dirname, name);
  return runWrappedScript({
    name: file,
    source: readFileSync(file, "utf8"),
    cachedData: readFileSync(join(__dirname, codeCacheOf(name))),
    require,
    filename: __filename,
    dirname: __dirname,
  });
}
