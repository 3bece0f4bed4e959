// A sim schedules call endings, deliveries, webhook retries and artificial
// latency. Tracking every timer here lets close() stop all of them at once, so
// a test process exits as soon as it is done instead of waiting for stray work.

import { setMaxListeners } from 'node:events';

export class TimerSet {
  private readonly pending = new Map<NodeJS.Timeout, () => void>();
  private readonly controller = new AbortController();

  constructor() {
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
  after(ms: number, fn: () => void): NodeJS.Timeout | undefined {
    if (this.closed) return undefined;
    const handle = setTimeout(() => {
      this.pending.delete(handle);
      fn();
    }, ms);
    this.pending.set(handle, () => {});
    return handle;
  }

  cancel(handle: NodeJS.Timeout | undefined): void {
    if (!handle || !this.pending.has(handle)) return;
    clearTimeout(handle);
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
      const handle = setTimeout(() => {
        this.pending.delete(handle);
        resolve(true);
      }, ms);
      this.pending.set(handle, () => resolve(false));
    });
  }

  close(): void {
    this.controller.abort();
    for (const [handle, onCancel] of this.pending) {
      clearTimeout(handle);
      onCancel();
    }
    this.pending.clear();
  }
}
