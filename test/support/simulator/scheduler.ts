/** Owns every timer of one simulator so that close() leaves nothing behind. */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly keyed = new Map<string, NodeJS.Timeout>();
  private closed = false;

  after(ms: number, fn: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  /** Like after(), but replaces the pending timer registered under the same key. */
  restart(key: string, ms: number, fn: () => void): void {
    if (this.closed) return;
    clearTimeout(this.keyed.get(key));
    const timer = setTimeout(() => {
      this.keyed.delete(key);
      fn();
    }, ms);
    this.keyed.set(key, timer);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  close(): void {
    this.closed = true;
    for (const timer of [...this.timers, ...this.keyed.values()]) clearTimeout(timer);
    this.timers.clear();
    this.keyed.clear();
  }
}
