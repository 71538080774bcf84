import { writeSync } from "node:fs";
import { createRequire } from "node:module";
import { READER_GONE_EXIT_CODE, readerGone } from "./reader-gone.js";

// What `--version` says. Both built artifacts (the npm package and the single executable) replace this module with
// the version and the commit they were built from (scripts/bundle/stamp.ts); run from source, there is no commit.
export const version = (createRequire(import.meta.url)("../package.json") as { version: string }).version;
export const commit = "source";

export const versionLine = () => `${version} (commit ${commit})`;

/** The Rancher server lines this release enrolls into, as `--version` and the README say. */
export const SERVER_LINES: readonly string[] = [
  "Rancher 1.6 (API /v2-beta, /v1): environments and hosts",
  "Rancher 2.0 to 2.11 (API /v3): RKE1 custom clusters and nodes",
  "Rancher 2.6 and later (API /v3, /v1): RKE2/K3s custom clusters and their machines",
];

/** `--version`: the version line first (scripts read it), then the servers supported and the runtime. */
export function versionText(): string {
  return [
    versionLine(),
    `servers: ${SERVER_LINES.join("; ")}`,
    `runtime: Node.js ${process.versions.node}, ${process.platform} ${process.arch}`,
  ].join("\n");
}

/** The flags that ask for versionText(): commander's in cli.ts, and answerVersionAlone()'s. */
export const VERSION_FLAGS: readonly string[] = ["-V", "--version"];

/**
 * `rancher-enroll --version`, that flag alone, answered as commander answers it (stdout, exit 0), for the built
 * artifacts to call before they load the CLI: reading and compiling it and building commander's tree of every
 * command would double the time `--version` takes beyond Node.js's own start-up. False when it did not answer: other
 * arguments, or a stdout that fails otherwise than by its reader going away (the CLI then reports that failure).
 */
export function answerVersionAlone(args: readonly string[]): boolean {
  if (args.length !== 1 || !VERSION_FLAGS.includes(args[0]!)) return false;
  try {
    writeSync(1, `${versionText()}\n`);
    return true;
  } catch (error) {
    if (readerGone(error)) process.exit(READER_GONE_EXIT_CODE);
    return false;
  }
}
