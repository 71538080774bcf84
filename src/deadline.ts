import { setTimeout as sleep } from "node:timers/promises";
import { EnrollError } from "./errors.js";

/** The one clock every wait of a command runs against, so that `--timeout` bounds the whole command. */
export class Deadline {
  private readonly endsAt: number;

  constructor(readonly seconds: number) {
    this.endsAt = Date.now() + seconds * 1000;
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

  /** Polls `probe` every `intervalMs` until it returns a value; on expiry throws what `describeTimeout` says. */
  async poll<T>(
    intervalMs: number,
    probe: () => Promise<T | undefined>,
    describeTimeout: () => string,
  ): Promise<T> {
    for (;;) {
      const value = await probe().catch((error: unknown) => {
        // A request cut short by the deadline itself: what timed out is what we were waiting for.
        throw this.expired() ? this.timeout(describeTimeout()) : error;
      });
      if (value !== undefined) return value;
      if (this.expired()) throw this.timeout(describeTimeout());
      await sleep(Math.min(intervalMs, this.remainingMs()));
    }
  }

  timeout(message: string): EnrollError {
    return new EnrollError(
      "timeout",
      `${message} (gave up after ${this.seconds} s)`,
      "Raise --timeout if the server is just slow, or look at the state reported above.",
    );
  }
}
