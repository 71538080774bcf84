import { createRequire } from "node:module";

// What `--version` says. Both built artifacts (the npm package and the single executable) replace this module with
// the version and the commit they were built from (scripts/bundle/stamp.ts); run from source, there is no commit.
export const version = (createRequire(import.meta.url)("../package.json") as { version: string }).version;
export const commit = "source";

export const versionLine = () => `${version} (commit ${commit})`;

/** The Rancher server lines this release enrolls into, as `--version` and the README say. */
export const SERVER_LINES: readonly string[] = [
  "Rancher 1.6 (API /v2-beta, /v1): environments and hosts",
  "Rancher 2.0 to 2.11 (API /v3): RKE1 custom clusters and nodes",
];

/** `--version`: the version line first (scripts read it), then the servers supported and the runtime. */
export function versionText(): string {
  return [
    versionLine(),
    `servers: ${SERVER_LINES.join("; ")}`,
    `runtime: Node.js ${process.versions.node}, ${process.platform} ${process.arch}`,
  ].join("\n");
}
