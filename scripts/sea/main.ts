// The single executable's main script: answers `--version` alone itself; else runs the CLI (app.js) with a code
// cache that a run of `--help` at build time filled (../bundle/warm-up.ts), so that starting compiles almost nothing.
import { answerVersionAlone } from "../../src/version.js";
import { APP_SCRIPT } from "../bundle/wrapped-script.js";
import { runAssetScript } from "./asset-script.js";

if (!answerVersionAlone(process.argv.slice(2))) runAssetScript(APP_SCRIPT);
