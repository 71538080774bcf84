import { createRequire } from "node:module";

// What `--version` says. Both built artifacts (the npm package and the single executable) replace this module with
// the version and the commit they were built from (scripts/bundle/stamp.ts); run from source, there is no commit.
export const version = (createRequire(import.meta.url)("../package.json") as { version: string }).version;
export const commit = "source";

export const versionLine = () => `${version} (commit ${commit})`;
