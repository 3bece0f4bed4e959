import type { TimerHandle } from '../clock';
import { pick, unit } from '../rand';
import type { TimerSet } from '../timers';
import type { StartTraffic } from './contract';
import { arrivalGapMs } from './draws';

// Customers calling the hotline: a Poisson process (exponential gaps) at a rate per minute, each call
// a pure function of (seed, runId, its number in the run): when it comes, why, from which number.

export interface TrafficPlan extends Omit<StartTraffic, 'customers' | 'callbackUrl'> {
  runId: string;
  callbackUrl: string;
  /** The numbers callers are drawn from. */
  callers: readonly string[];
  /** reason → weight: the request's mix or the config's. */
  mix: Record<string, number>;
}

export interface Arrival {
  callId: string;
  ani: string;
  reason: string;
  team?: string;
  callbackUrl: string;
}

export interface TrafficStatus {
  running: boolean;
  runId?: string;
  ratePerMinute?: number;
  callers?: number;
  unknownCallerShare?: number;
  team?: string;
  startedAt?: string;
  /** Calls of the run so far. */
  calls: number;
}

export class Traffic {
  private run?: { plan: TrafficPlan; n: number; startedAt: number; timer?: TimerHandle };
  private last: TrafficStatus = { running: false, calls: 0 };

  constructor(private readonly deps: { timers: TimerSet; seed: () => string | number; arrive: (call: Arrival) => void }) {}

  /** Starts a run; one already running stops first. */
  start(plan: TrafficPlan): TrafficStatus {
    this.stop();
    this.run = { plan, n: 0, startedAt: this.deps.timers.clock.now() };
    this.next();
    return this.status();
  }

  /** False: no run was going. */
  stop(): boolean {
    if (!this.run) return false;
    this.deps.timers.cancel(this.run.timer);
    this.last = { ...this.status(), running: false };
    this.run = undefined;
    return true;
  }

  status(): TrafficStatus {
    if (!this.run) return this.last;
    const { plan, n, startedAt } = this.run;
    return {
      running: true, runId: plan.runId, ratePerMinute: plan.ratePerMinute, callers: plan.callers.length,
      unknownCallerShare: plan.unknownCallerShare, ...(plan.team ? { team: plan.team } : {}),
      startedAt: new Date(startedAt).toISOString(), calls: n,
    };
  }

  private next(): void {
    const run = this.run!;
    const gap = arrivalGapMs(run.plan.ratePerMinute, unit(this.deps.seed(), run.plan.runId, 'gap', run.n));
    run.timer = this.deps.timers.after(gap, () => {
      run.n += 1;
      this.deps.arrive(this.callOf(run.plan, run.n));
      if (run.plan.maxCalls !== undefined && run.n >= run.plan.maxCalls) this.stop();
      else this.next();
    });
  }

  private callOf(plan: TrafficPlan, n: number): Arrival {
    const seed = this.deps.seed();
    const callId = `in-${plan.runId}-${n}`;
    const unknown = plan.callers.length === 0 || unit(seed, callId, 'unknown-caller') < plan.unknownCallerShare;
    const ani = unknown
      ? `1${String(Math.floor(unit(seed, callId, 'unknown-number') * 1e10)).padStart(10, '0')}`
      : plan.callers[Math.floor(unit(seed, callId, 'caller') * plan.callers.length)]!;
    const reason = pick(plan.mix, unit(seed, callId, 'reason'));
    return { callId, ani, reason, ...(plan.team ? { team: plan.team } : {}), callbackUrl: plan.callbackUrl };
  }
}
