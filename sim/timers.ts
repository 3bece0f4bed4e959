// A sim schedules call endings, deliveries, webhook retries and artificial
// latency. Tracking every timer here lets close() stop all of them at once, so
// a test process exits as soon as it is done instead of waiting for stray work.

import { setMaxListeners } from 'node:events';
import { realClock, type Clock, type TimerHandle } from './clock';

export class TimerSet {
  private readonly pending = new Map<TimerHandle, () => void>();
  private readonly controller = new AbortController();

  /** clock: what the timers wait by (real time unless a test's ManualClock). */
  constructor(readonly clock: Clock = realClock) {
    // Every webhook in flight listens for close(): hundreds at once is normal, not a leak.
    setMaxListeners(0, this.controller.signal);
  }

  /** Aborted on close(); handed to fetch so in-flight webhooks stop too. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get closed(): boolean {
    return this.controller.signal.aborted;
  }

  /** Run fn after ms unless cancelled or closed first. */
  after(ms: number, fn: () => void): TimerHandle | undefined {
    if (this.closed) return undefined;
    const handle = this.clock.setTimer(ms, () => {
      this.pending.delete(handle);
      fn();
    });
    this.pending.set(handle, () => {});
    return handle;
  }

  cancel(handle: TimerHandle | undefined): void {
    if (handle === undefined || !this.pending.has(handle)) return;
    this.clock.clearTimer(handle);
    this.pending.get(handle)!();
    this.pending.delete(handle);
  }

  /**
   * Resolves true after ms, or false as soon as the set is closed. It never
   * hangs: a request handler waiting on it must still answer for the HTTP
   * server to finish closing.
   */
  sleep(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const handle = this.clock.setTimer(ms, () => {
        this.pending.delete(handle);
        resolve(true);
      });
      this.pending.set(handle, () => resolve(false));
    });
  }

  close(): void {
    this.controller.abort();
    for (const [handle, onCancel] of this.pending) {
      this.clock.clearTimer(handle);
      onCancel();
    }
    this.pending.clear();
  }
}
