import { constants } from "node:os";

export type StopSignal = "SIGINT" | "SIGTERM";

/** The shell's convention: 128 plus the signal's number. */
export const INTERRUPTED_EXIT_CODES: Readonly<Record<StopSignal, number>> = {
  SIGINT: 128 + constants.signals.SIGINT,
  SIGTERM: 128 + constants.signals.SIGTERM,
};

/** What a command says when it is stopped by a signal: it is not one of the error kinds (no one exit code). */
export interface Interruption {
  kind: "interrupted";
  signal: StopSignal;
  exitCode: number;
  message: string;
  hint: string;
  /** The phase it was in, when a flow was running. */
  phase?: string;
}

export function interruption(signal: StopSignal, command: string, phase: string | undefined): Interruption {
  const where = phase ? ` in phase "${phase}"` : "";
  return {
    kind: "interrupted",
    signal,
    exitCode: INTERRUPTED_EXIT_CODES[signal],
    message: `${command} was interrupted by ${signal}${where}`,
    hint:
      "Nothing is rolled back: what the phases before did stays done, the machine lock is released. " +
      `Run \`rancher-enroll ${command}\` again to carry on from there; \`rancher-enroll status\` shows where things are.`,
    ...(phase ? { phase } : {}),
  };
}

/** Calls `stop` on the first SIGINT or SIGTERM until the returned function is called. */
export function onStopSignal(stop: (signal: StopSignal) => void): () => void {
  const signals: StopSignal[] = ["SIGINT", "SIGTERM"];
  for (const signal of signals) process.once(signal, stop);
  return () => signals.forEach((signal) => process.off(signal, stop));
}
