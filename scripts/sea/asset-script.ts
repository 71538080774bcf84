// In the single executable, the scripts (../bundle/wrapped-script.ts) and their code caches are assets.
import { getAsset } from "node:sea";
import { codeCacheOf, runWrappedScript } from "../bundle/wrapped-script.js";

/** Runs one asset script and answers its module.exports. Its __filename is the executable. */
export function runAssetScript(name: string): unknown {
  return runWrappedScript({
    name,
    source: getAsset(name, "utf8"),
    cachedData: Buffer.from(getAsset(codeCacheOf(name))),
    require,
    filename: __filename,
    dirname: __dirname,
  });
}
