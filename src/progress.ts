import type { PullProgress } from "./docker/image.js";
import type { Logger } from "./log.js";

const LOG_EVERY_MS = 2000;
const BAR_WIDTH = 30;

/** A progress bar on a terminal, a log line every few seconds otherwise. */
export function pullProgressReporter(
  log: Logger,
  terminal: NodeJS.WriteStream | undefined,
): (progress: PullProgress) => void {
  if (terminal)
    return (progress) =>
      terminal.write(`\r${bar(progress)}${progress.layersDone === progress.layers ? "\n" : ""}`);
  let lastLogged = 0;
  return (progress) => {
    if (Date.now() - lastLogged < LOG_EVERY_MS && progress.layersDone < progress.layers) return;
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
