import assert from "node:assert/strict";
import { test } from "node:test";
import { pino } from "pino";
import { pullProgressReporter } from "../../src/progress.js";

const halfway = { layers: 2, layersDone: 1, currentBytes: 5e6, totalBytes: 10e6 };
const done = { layers: 2, layersDone: 2, currentBytes: 10e6, totalBytes: 10e6 };

test("on a terminal: a bar redrawn in place, ended by one newline", () => {
  let written = "";
  const report = pullProgressReporter(pino({ level: "silent" }), {
    write: (text: string) => ((written += text), true),
  });
  [halfway, halfway, done, done].forEach(report);
  assert.equal(
    written,
    "\r[###############...............] 50% 5.0/10.0 MB, 1/2 layers".repeat(2) +
      "\r[##############################] 100% 10.0/10.0 MB, 2/2 layers\n",
  );
});

test("elsewhere: log lines at most every 2 s, and the final one once", () => {
  const lines: string[] = [];
  const log = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line).msg) });
  const report = pullProgressReporter(log, undefined);
  [halfway, halfway, halfway, done, done].forEach(report);
  assert.deepEqual(lines, ["pulling: 50% 5.0/10.0 MB, 1/2 layers", "pulling: 100% 10.0/10.0 MB, 2/2 layers"]);
});
