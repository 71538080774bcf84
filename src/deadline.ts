import { setTimeout as sleep } from "node:timers/promises";
import { EnrollError } from "./errors.js";

/** The longest delay setTimeout takes; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What a wait ends with when the deadline comes: the text of a timeout error, or an error of its own. */
type OnExpiry = () => string | Error;

/**
 * How often a wait looks again: a fixed number of milliseconds, or soon at first (what we wait for is most
 * likely to happen shortly after the request that set it going), then less often, each gap a quarter longer than
 * the one before, up to `maxMs`: what happens after t is seen by about t + t/4.
 */
export type Pace = number | { readonly firstMs: number; readonly maxMs: number };

/**
 * For waits on the server or the agent after a request of ours: what they do takes from a tenth of a second to a
 * few seconds (minutes for a new cluster), and seeing it a moment late costs a whole gap.
 */
export const SERVER_PACE: Pace = { firstMs: 100, maxMs: 2000 };

const GROWTH = 1.25;

/** The gaps between looks at `pace`, forever. */
export function* gaps(pace: Pace): Generator<number, never> {
  const { firstMs, maxMs } = typeof pace === "number" ? { firstMs: pace, maxMs: pace } : pace;
  for (let gap = firstMs; ; gap = Math.min(maxMs, gap * GROWTH)) yield Math.round(gap);
}

/** A request that the deadline cut short: a wait around it says what it was waiting for instead. */
export class CutShort extends EnrollError {}

/** The one clock every wait of a command runs against, so that `--timeout` bounds the whole command. */
export class Deadline {
  private endsAt: number;

  constructor(
    readonly seconds: number,
    /** What set it, as messages name it: `--timeout 600`, or a command's own bound. */
    readonly bound = `--timeout ${seconds}`,
  ) {
    this.endsAt = Date.now() + seconds * 1000;
  }

  /** Starts the clock again, as new: the time a person took to answer is not the server's. */
  restart(): void {
    this.endsAt = Date.now() + this.seconds * 1000;
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - Date.now());
  }

  /** `seconds`, or less when the deadline comes sooner. */
  cap(seconds: number): number {
    return Math.min(seconds, this.remainingMs() / 1000);
  }

  expired(): boolean {
    return this.remainingMs() === 0;
  }

  /**
   * Polls `probe` at `pace` until it returns a value; on expiry throws what `onExpiry` says. A probe that saw
   * progress (the next change is likely to follow soon) calls `restart`: the pace starts over.
   */
  async poll<T>(
    pace: Pace,
    probe: (pacing: { restart(): void }) => Promise<T | undefined>,
    onExpiry: OnExpiry,
  ): Promise<T> {
    let next = gaps(pace);
    const pacing = { restart: () => void (next = gaps(pace)) };
    for (;;) {
      const value = await probe(pacing).catch((error: unknown) => {
        // A request cut short by the deadline itself: what timed out is what we were waiting for (unless a wait
        // within the probe already said what it was).
        const said = error instanceof EnrollError && error.kind === "timeout" && !(error instanceof CutShort);
        throw this.expired() && !said ? this.expiry(onExpiry) : error;
      });
      if (value !== undefined) return value;
      if (this.expired()) throw this.expiry(onExpiry);
      await sleep(Math.min(next.next().value, this.remainingMs()));
    }
  }

  /** Waits for `work`, but not past the deadline: then throws what `onExpiry` says (`work` is left to itself). */
  async within<T>(work: Promise<T>, onExpiry: OnExpiry): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expiry = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.expiry(onExpiry)), Math.min(this.remainingMs(), MAX_TIMER_MS));
    });
    try {
      return await Promise.race([work, expiry]);
    } finally {
      clearTimeout(timer);
    }
  }

  timeout(message: string): EnrollError {
    return new EnrollError(
      "timeout",
      `${message} (gave up after ${this.seconds} s)`,
      "Raise --timeout if the server is just slow, or look at the state reported above.",
    );
  }

  /** The timeout of a request the deadline ended: a wait around it replaces it with what it waited for. */
  cutShort(message: string): EnrollError {
    const { kind, message: text, hint } = this.timeout(message);
    return new CutShort(kind, text, hint);
  }

  private expiry(onExpiry: OnExpiry): Error {
    const outcome = onExpiry();
    return typeof outcome === "string" ? this.timeout(outcome) : outcome;
  }
}
