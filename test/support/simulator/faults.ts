import type { FaultSwitches } from "./types.js";

/** A switch that parks transitions while on and lets them finish when turned off. */
export class Hold {
  private on = false;
  private waiting: Array<() => void> = [];

  set(on: boolean): void {
    this.on = on;
    if (on) return;
    const released = this.waiting;
    this.waiting = [];
    for (const fn of released) fn();
  }

  whenReleased(fn: () => void): void {
    if (this.on) this.waiting.push(fn);
    else fn();
  }

  get active(): boolean {
    return this.on;
  }
}

export interface InjectedFailure {
  status: number;
  retryAfterSeconds?: number;
}

export class Faults implements FaultSwitches {
  readonly tokenHold = new Hold();
  readonly hostHold = new Hold();
  private queue: InjectedFailure[] = [];
  private delayMs = 0;

  failNext(n: number, status = 503): void {
    this.enqueue(n, { status });
  }

  rateLimitNext(n: number, retryAfterSeconds: number): void {
    this.enqueue(n, { status: 429, retryAfterSeconds });
  }

  delayResponses(ms: number): void {
    this.delayMs = ms;
  }

  keepTokensRegistering(on: boolean): void {
    this.tokenHold.set(on);
  }

  keepHostsFromActive(on: boolean): void {
    this.hostHold.set(on);
  }

  reset(): void {
    this.queue = [];
    this.delayMs = 0;
    this.tokenHold.set(false);
    this.hostHold.set(false);
  }

  /** The failure to inject into the current request, if any is queued. */
  takeFailure(): InjectedFailure | undefined {
    return this.queue.shift();
  }

  get responseDelayMs(): number {
    return this.delayMs;
  }

  snapshot(): Record<string, unknown> {
    return {
      pendingFailures: this.queue.length,
      delayResponsesMs: this.delayMs,
      keepTokensRegistering: this.tokenHold.active,
      keepHostsFromActive: this.hostHold.active,
    };
  }

  private enqueue(n: number, failure: InjectedFailure): void {
    for (let i = 0; i < n; i++) this.queue.push({ ...failure });
  }
}
