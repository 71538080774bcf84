import { fstatSync, writeSync } from "node:fs";
import type { OutputConfiguration } from "commander";

/**
 * Where commander writes help, version and usage errors. Help and version go straight to fd 1: creating
 * process.stdout (or asking tty.isatty) would load Node's stream and net modules first, a fifth of the start-up
 * time of `--version`. process.stdout is still asked for the width and colours when stdout may be a terminal.
 */
export const commanderOutput: OutputConfiguration = {
  writeOut: (text) => writeSync(1, text),
  writeErr: (text) => process.stderr.write(text),
  getOutHelpWidth: () => (mayBeTerminal() ? process.stdout.columns : undefined) ?? 80,
  getOutHasColors: () => mayBeTerminal() && process.stdout.hasColors?.() === true,
};

/** A terminal is a character device (so is /dev/null, for which process.stdout is a cheap file stream). */
function mayBeTerminal(): boolean {
  return fstatSync(1).isCharacterDevice();
}
