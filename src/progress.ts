import type { PullProgress } from "./docker/image.js";
import type { Logger } from "./log.js";

const LOG_EVERY_MS = 2000;
const BAR_WIDTH = 30;

/** A progress bar on a terminal, a log line every few seconds otherwise; each ends with one final report. */
export function pullProgressReporter(
  log: Logger,
  terminal: Pick<NodeJS.WriteStream, "write"> | undefined,
): (progress: PullProgress) => void {
  let lastLogged = 0;
  let finished = false;
  return (progress) => {
    const complete = progress.layersDone === progress.layers;
    if (finished) return;
    finished = complete;
    if (terminal) {
      terminal.write(`\r${bar(progress)}${complete ? "\n" : ""}`);
      return;
    }
    if (!complete && Date.now() - lastLogged < LOG_EVERY_MS) return;
    lastLogged = Date.now();
    log.info({ ...progress, percent: percent(progress) }, `pulling: ${describe(progress)}`);
  };
}

function bar(progress: PullProgress): string {
  const filled = Math.round((percent(progress) / 100) * BAR_WIDTH);
  return `[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ${describe(progress)}`;
}

function describe(progress: PullProgress): string {
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  return `${percent(progress)}% ${mb(progress.currentBytes)}/${mb(progress.totalBytes)} MB, ${progress.layersDone}/${progress.layers} layers`;
}

function percent({ currentBytes, totalBytes, layers, layersDone }: PullProgress): number {
  if (layersDone === layers) return 100;
  return totalBytes ? Math.min(99, Math.floor((currentBytes / totalBytes) * 100)) : 0;
}
