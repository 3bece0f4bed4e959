// The time a sim's simulated world runs by. Real time unless a test hands a ManualClock and moves
// it itself: a ten-minute queue wait then takes no time, and no assertion depends on how loaded the
// machine is. Network mechanics (webhook retries, request timeouts) always run in real time.

/** An opaque timer handle, as the clock that set it gave it. */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimer(ms: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimer: (ms, fn) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface ManualTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/** A clock that stands still until advanced; timers fire in order of due time, then of setting. */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers = new Map<number, ManualTimer>();

  constructor(start: Date | number = Date.UTC(2030, 0, 7, 1, 0, 0)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const seq = ++this.seq;
    this.timers.set(seq, { at: this.current + Math.max(0, ms), seq, fn });
    return seq;
  }

  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Timers set and not fired yet. */
  get pending(): number {
    return this.timers.size;
  }

  /**
   * Moves time forward by ms, firing every timer due on the way, each at its own due time (the
   * clock reads that time while it runs), timers they set included. Answers how many fired.
   */
  advance(ms: number): number {
    const target = this.current + Math.max(0, ms);
    let fired = 0;
    for (let next = this.earliest(target); next; next = this.earliest(target)) {
      this.timers.delete(next.seq);
      this.current = next.at;
      next.fn();
      fired += 1;
    }
    this.current = target;
    return fired;
  }

  private earliest(until: number): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const t of this.timers.values()) {
      if (t.at <= until && (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq))) best = t;
    }
    return best;
  }
}
