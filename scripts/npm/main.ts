#!/usr/bin/env node
// The npm package's bin (dist/cli.js): answers `--version` alone itself; else runs the CLI (app.js) with the code
// cache that a run of `--help` at build time filled (../bundle/warm-up.ts), as the single executable does
// (../sea/main.ts).
import { answerVersionAlone } from "../../src/version.js";
import { APP_SCRIPT } from "../bundle/wrapped-script.js";
import { runFileScript } from "./file-script.js";

if (!answerVersionAlone(process.argv.slice(2))) runFileScript(APP_SCRIPT);
