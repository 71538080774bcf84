import type { Deadline } from "../deadline.js";
import type { Logger } from "../log.js";
import { withMachineLock } from "../state/lock.js";

/**
 * One named step of a flow. A flow is a list of them, run in order by `runPhases`; a dry run walks the same list,
 * running the phases that only read, and the `plan` of those that change something.
 */
export interface Phase<S> {
  readonly name: string;
  /** Changes the machine or the server: from here on the machine lock is held; a dry run does `plan` instead. */
  readonly changes?: boolean;
  /**
   * Reads what other runs change (the state file): from here on the machine lock is held, except in a dry run.
   * A function decides from the state (a phase that may wait for a person must not hold the lock while it waits).
   */
  readonly locked?: boolean | ((state: S) => boolean);
  /** Skipped unless true. */
  when?(state: S): boolean;
  run(state: S): Promise<void>;
  /** What a dry run does in place of a phase that changes something; without it the dry run skips the phase. */
  plan?(state: S): Promise<void>;
}

/** What a flow carries from phase to phase: a phase that sets `done` ends the flow. */
export interface FlowState {
  done?: boolean;
}

/** A flow's state before its first phase: the phases fill in the rest, each field before the phases that read it. */
export function initialState<S extends FlowState>(known: Partial<S>): S {
  return known as S;
}

export interface RunOptions {
  log: Logger;
  dryRun: boolean;
  deadline: Deadline;
  /** The state folder, whose lock serialises the commands that change this machine's enrollment. */
  lockDir: string;
}

/** Runs the phases in order, each logged as it begins (the benchmarks read those lines) and with how long it took. */
export async function runPhases<S extends FlowState>(
  phases: readonly Phase<S>[],
  state: S,
  options: RunOptions,
): Promise<void> {
  let holdsLock = false;
  const runFrom = async (start: number): Promise<void> => {
    for (let index = start; index < phases.length && !state.done; index += 1) {
      const phase = phases[index]!;
      if (phase.when && !phase.when(state)) continue;
      if (!options.dryRun && !holdsLock && (locks(phase, state) || phase.changes)) {
        holdsLock = true;
        return withMachineLock(options.lockDir, options.deadline, options.log, () => runFrom(index));
      }
      await runOne(phase, state, options);
    }
  };
  await runFrom(0);
}

function locks<S>({ locked }: Phase<S>, state: S): boolean {
  return typeof locked === "function" ? locked(state) : Boolean(locked);
}

async function runOne<S>(phase: Phase<S>, state: S, { log, dryRun }: RunOptions): Promise<void> {
  const step = dryRun && phase.changes ? phase.plan : phase.run;
  const started = Date.now();
  if (step) {
    log.info({ phase: phase.name }, `${phase.name}${dryRun && phase.changes ? " (dry run)" : ""}…`);
    await step.call(phase, state);
  }
  log.debug({ phase: phase.name, ms: Date.now() - started }, `${phase.name} done`);
}
