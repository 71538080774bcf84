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

/**
 * The fault switches every server line has (failures, rate limits, delays) plus the named holds of one line.
 * A hold's name is also its key in the `/_sim/faults` body and in snapshot().
 */
export class Faults<H extends string = string> {
  private readonly holds: Record<H, Hold>;
  private queue: InjectedFailure[] = [];
  private delayMs = 0;

  constructor(readonly holdNames: readonly H[]) {
    this.holds = Object.fromEntries(holdNames.map((name) => [name, new Hold()])) as Record<H, Hold>;
  }

  hold(name: H): Hold {
    return this.holds[name];
  }

  failNext(n: number, status = 503): void {
    this.enqueue(n, { status });
  }

  rateLimitNext(n: number, retryAfterSeconds: number): void {
    this.enqueue(n, { status: 429, retryAfterSeconds });
  }

  delayResponses(ms: number): void {
    this.delayMs = ms;
  }

  reset(): void {
    this.queue = [];
    this.delayMs = 0;
    for (const name of this.holdNames) this.holds[name].set(false);
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
      ...Object.fromEntries(this.holdNames.map((name) => [name, this.holds[name].active])),
    };
  }

  private enqueue(n: number, failure: InjectedFailure): void {
    for (let i = 0; i < n; i++) this.queue.push({ ...failure });
  }
}

const CATTLE_HOLDS = ["keepTokensRegistering", "keepHostsFromActive"] as const;

/** Rancher 1.6: tokens can be held in `registering`, hosts kept from `active`. */
export class CattleFaults extends Faults<(typeof CATTLE_HOLDS)[number]> implements FaultSwitches {
  constructor() {
    super(CATTLE_HOLDS);
  }

  keepTokensRegistering(on: boolean): void {
    this.hold("keepTokensRegistering").set(on);
  }

  keepHostsFromActive(on: boolean): void {
    this.hold("keepHostsFromActive").set(on);
  }
}
