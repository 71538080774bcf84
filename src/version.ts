import { createRequire } from "node:module";

// The single executable has no package.json beside it: its build (scripts/build-sea.ts) replaces this module.
export const version = (createRequire(import.meta.url)("../package.json") as { version: string }).version;
