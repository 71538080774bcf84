// The single executable's main script: runs the CLI (app.js) with a code cache that a run of `--help` at build
// time filled (../bundle/warm-up.ts), so that starting compiles almost nothing.
import { APP_SCRIPT } from "../bundle/wrapped-script.js";
import { runAssetScript } from "./asset-script.js";

runAssetScript(APP_SCRIPT);
