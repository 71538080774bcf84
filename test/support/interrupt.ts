import { constants } from "node:os";

export interface Interrupt {
  /** Aborted by the first SIGINT or SIGTERM. */
  signal: AbortSignal;
  /** The exit code the signal asks for (130 for SIGINT), once one came. */
  exitCode(): number | undefined;
  /** Removes the handlers. */
  release(): void;
}

/**
 * Turns SIGINT and SIGTERM into an abort, so that a long run stops what it started (engines, servers, children)
 * and ends by itself; a second signal exits at once.
 */
export function abortOnInterrupt(): Interrupt {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) process.exit(128 + constants.signals[signal]);
    received = signal;
    console.error(`${signal}: stopping everything started (again to exit at once)`);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  const signals = ["SIGINT", "SIGTERM"] as const;
  for (const signal of signals) process.on(signal, onSignal);
  return {
    signal: controller.signal,
    exitCode: () => (received ? 128 + constants.signals[received] : undefined),
    release: () => {
      for (const signal of signals) process.off(signal, onSignal);
    },
  };
}
