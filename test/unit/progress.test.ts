// The pull's progress as a person sees it: a bar on a terminal that never goes back, log lines elsewhere, one
// closing line; and the engine's events counted per layer, download and extraction apart.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pino } from "pino";
import { pullTally, type PullEvent, type PullProgress } from "../../src/docker/image.js";
import type { LiveLine, Logger } from "../../src/log.js";
import { pullProgressReporter } from "../../src/progress.js";

/** Docker's events for a two-layer image whose second layer's size is known only once it starts downloading. */
const EVENTS: PullEvent[] = [
  { id: "a", status: "Pulling fs layer" },
  { id: "b", status: "Pulling fs layer" },
  { id: "a", status: "Downloading", progressDetail: { current: 5e6, total: 10e6 } },
  { id: "a", status: "Download complete" },
  { id: "b", status: "Downloading", progressDetail: { current: 1e6, total: 30e6 } },
  { id: "a", status: "Extracting", progressDetail: { current: 10e6, total: 10e6 } },
  { id: "a", status: "Pull complete" },
  { id: "b", status: "Downloading", progressDetail: { current: 30e6, total: 30e6 } },
  { id: "b", status: "Download complete" },
  { id: "b", status: "Extracting", progressDetail: { current: 15e6, total: 30e6 } },
  { id: "b", status: "Pull complete" },
];

function tallied(events: PullEvent[]): PullProgress[] {
  const tally = pullTally();
  return [
    ...events.flatMap((event) => (tally.apply(event) ? [tally.progress(false)] : [])),
    tally.progress(true),
  ];
}

function fakeLive(): LiveLine & { shown: string[]; cleared: number } {
  const line = {
    columns: 80,
    shown: [] as string[],
    cleared: 0,
    show: (text: string) => void line.shown.push(text),
    clear: () => void (line.cleared += 1),
    newLine: () => undefined,
  };
  return line;
}

function messages(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return {
    log: pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line).msg) }),
    lines,
  };
}

describe("the pull tally", () => {
  it("counts downloads and extractions apart, over the layers whose size is known", () => {
    const progress = tallied(EVENTS);
    assert.deepEqual(progress[4], {
      done: false,
      layers: 2,
      present: 0,
      downloaded: 1,
      extracted: 0,
      unsized: 0,
      totalBytes: 40e6,
      downloadedBytes: 11e6,
      extractedBytes: 0,
    });
    assert.deepEqual(progress.at(-1), { ...progress.at(-2), done: true });
    assert.equal(progress.at(-1)?.extractedBytes, 40e6);
  });

  it("ignores what is not about a layer", () => {
    const tally = pullTally();
    assert.equal(tally.apply({ status: "Pulling from rancher/agent", id: "v1.2.11" }), false);
    assert.equal(tally.apply({ status: "Digest: sha256:0" }), false);
    assert.equal(tally.progress(true).layers, 0);
  });
});

describe("the progress reporter", () => {
  it("on a terminal: a bar that never goes back, then one closing log line", () => {
    const live = fakeLive();
    const { log, lines } = messages();
    let clock = 0;
    const report = pullProgressReporter(log, live, () => (clock += 1000));
    tallied(EVENTS).forEach(report);
    const percents = live.shown.map((text) => Number(/(\d+)%/.exec(text)?.[1]));
    assert.deepEqual(
      percents,
      [...percents].sort((a, b) => a - b),
      `never backwards: ${live.shown.join(" | ")}`,
    );
    assert.ok(percents.every((value) => value < 100));
    assert.ok(live.shown.every((text) => text.length < live.columns));
    assert.match(live.shown[4] ?? "", /^\[#*\.*\] +\d+% 11\.0\/40\.0 MB downloaded, 0\/2 layers extracted$/);
    assert.equal(live.cleared, 1);
    assert.deepEqual(lines, ["pulled 2 of 2 layers, 40.0 MB in 12.0 s"]);
  });

  it("redraws a terminal at most every 100 ms", () => {
    const live = fakeLive();
    const report = pullProgressReporter(messages().log, live, () => 0);
    tallied(EVENTS).forEach(report);
    assert.equal(live.shown.length, 1);
  });

  it("elsewhere: a log line at most every 5 s, then the closing one", () => {
    const { log, lines } = messages();
    let clock = 0;
    const report = pullProgressReporter(log, undefined, () => (clock += 2000));
    tallied(EVENTS).forEach(report);
    assert.deepEqual(lines, [
      "pulling: 0%, 0.0/0.0+ MB downloaded, 0/1 layers extracted",
      "pulling: 25%, 10.0/10.0+ MB downloaded, 0/2 layers extracted",
      "pulling: 26%, 11.0/40.0 MB downloaded, 1/2 layers extracted",
      "pulling: 81%, 40.0/40.0 MB downloaded, 1/2 layers extracted",
      "pulled 2 of 2 layers, 40.0 MB in 24.0 s",
    ]);
  });

  it("says so when the engine had every layer", () => {
    const { log, lines } = messages();
    const report = pullProgressReporter(log, fakeLive());
    tallied([{ id: "a", status: "Already exists" }]).forEach(report);
    assert.deepEqual(lines, ["pulled: nothing to download, the engine had every layer"]);
  });
});
