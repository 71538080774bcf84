import type { PullProgress } from "./docker/image.js";
import type { LiveLine, Logger } from "./log.js";

const LOG_EVERY_MS = 5000;
const REDRAW_EVERY_MS = 100;
const MAX_BAR_WIDTH = 30;

/**
 * A pull's progress: a bar redrawn in place on a terminal, a log line every few seconds elsewhere; then one line
 * saying what was pulled. Download and extraction are counted apart, and the percentage never goes back (layers'
 * sizes become known one by one as their downloads start).
 */
export function pullProgressReporter(
  log: Logger,
  live: LiveLine | undefined,
  now: () => number = Date.now,
): (progress: PullProgress) => void {
  const started = now();
  let shownAt = -Infinity;
  let highest = 0;
  return (progress) => {
    const at = now();
    highest = Math.max(highest, percent(progress));
    if (progress.done) {
      live?.clear();
      log.info(progress, summary(progress, (at - started) / 1000));
      return;
    }
    if (at - shownAt < (live ? REDRAW_EVERY_MS : LOG_EVERY_MS)) return;
    shownAt = at;
    if (live) live.show(bar(highest, describe(progress), live.columns));
    else log.info(`pulling: ${highest}%, ${describe(progress)}`);
  };
}

function bar(percentDone: number, text: string, columns: number): string {
  const width = Math.max(10, Math.min(MAX_BAR_WIDTH, columns - text.length - 8));
  const filled = Math.round((percentDone / 100) * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(percentDone).padStart(2)}% ${text}`;
}

function describe({ downloadedBytes, totalBytes, unsized, extracted, layers }: PullProgress): string {
  const total = `${mb(totalBytes)}${unsized ? "+" : ""}`;
  return `${mb(downloadedBytes)}/${total} MB downloaded, ${extracted}/${layers} layers extracted`;
}

function summary({ layers, present, totalBytes }: PullProgress, seconds: number): string {
  if (layers === present) return "pulled: nothing to download, the engine had every layer";
  const fetched = `${layers - present} of ${layers} layers, ${mb(totalBytes)} MB`;
  return `pulled ${fetched} in ${seconds.toFixed(1)} s${present ? ` (${present} already present)` : ""}`;
}

/**
 * Downloading is the first half, extracting the second; a layer of unknown size counts as the average of the known
 * ones. 100 only once the engine says the pull is done.
 */
function percent(progress: PullProgress): number {
  const { done, downloadedBytes, extractedBytes, totalBytes, unsized, layers, present } = progress;
  if (done) return 100;
  const sized = layers - present - unsized;
  if (!totalBytes || !sized) return 0;
  const expected = totalBytes + (unsized * totalBytes) / sized;
  return Math.min(99, Math.floor(((downloadedBytes + extractedBytes) / (2 * expected)) * 100));
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}
