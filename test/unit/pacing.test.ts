import { describe, expect, it } from 'vitest';
import { PacingSchema, abandonRate, callsToPlace, effectiveRatio, MIN_ANSWERED_TO_JUDGE } from '../../domain/campaign/pacing';
import { nextLeadStep } from '../../domain/campaign/dialing';

const pacing = (over: object = {}) => PacingSchema.parse(over);
const pool = (available: number, ringing = 0, agents = 10) => ({ agents, available, ringing });

describe('pacing: how many calls to place now', () => {
  it('progressive places one call per free agent, less the calls already ringing', () => {
    const p = pacing({ mode: 'progressive' });
    expect(callsToPlace({ pacing: p, maxConcurrentCalls: 50, inFlight: 0, pool: pool(4), rate: null }))
      .toEqual({ calls: 4, ratio: 1, limitedBy: 'free agents' });
    expect(callsToPlace({ pacing: p, maxConcurrentCalls: 50, inFlight: 3, pool: pool(4, 3), rate: null }).calls).toBe(1);
    expect(callsToPlace({ pacing: p, maxConcurrentCalls: 50, inFlight: 9, pool: pool(2, 5), rate: null }).calls).toBe(0);
  });

  it('never places more than the campaign may have in flight', () => {
    const p = pacing({ mode: 'predictive', callsPerAgent: 3 });
    expect(callsToPlace({ pacing: p, maxConcurrentCalls: 10, inFlight: 8, pool: pool(10), rate: null }))
      .toEqual({ calls: 2, ratio: 3, limitedBy: 'max calls in flight' });
  });

  it('predictive places calls per free agent while the abandon rate is under the cap', () => {
    const p = pacing({ mode: 'predictive', callsPerAgent: 2, maxAbandonRate: 0.03 });
    expect(callsToPlace({ pacing: p, maxConcurrentCalls: 100, inFlight: 0, pool: pool(5), rate: 0.01 }).calls).toBe(10);
    expect(callsToPlace({ pacing: p, maxConcurrentCalls: 100, inFlight: 4, pool: pool(5, 4), rate: 0.01 }).calls).toBe(6);
  });

  it('brakes predictive pacing towards one call per agent when the abandon rate passes the cap', () => {
    const p = pacing({ mode: 'predictive', callsPerAgent: 2, maxAbandonRate: 0.03 });
    expect(effectiveRatio(p, 0.03)).toBe(2);
    expect(effectiveRatio(p, 0.06)).toBe(1.5); // twice the cap: half the surplus over one
    expect(effectiveRatio(p, 0.3)).toBe(1.1);
    expect(effectiveRatio(p, 1)).toBe(1.03);
    expect(effectiveRatio({ ...p, maxAbandonRate: 0 }, 0.5)).toBe(1); // a zero cap: progressive once anything is abandoned
    expect(callsToPlace({ pacing: p, maxConcurrentCalls: 100, inFlight: 0, pool: pool(10), rate: 0.06 })).toEqual({ calls: 15, ratio: 1.5, limitedBy: 'free agents' });
  });

  it('does not judge the abandon rate on too few answered calls', () => {
    expect(abandonRate({ answered: MIN_ANSWERED_TO_JUDGE - 1, abandoned: 10 })).toBeNull();
    expect(abandonRate({ answered: 100, abandoned: 5 })).toBe(0.05);
    expect(effectiveRatio(pacing({ mode: 'predictive', callsPerAgent: 2 }), null)).toBe(2);
  });

  it('places nothing by itself in preview mode, and dials unattended without a team', () => {
    expect(callsToPlace({ pacing: pacing({ mode: 'preview' }), maxConcurrentCalls: 10, inFlight: 0, pool: pool(5), rate: null }))
      .toEqual({ calls: 0, ratio: null, limitedBy: 'preview' });
    expect(callsToPlace({ pacing: pacing(), maxConcurrentCalls: 10, inFlight: 4, pool: null, rate: null }))
      .toEqual({ calls: 6, ratio: null, limitedBy: 'max calls in flight' });
  });

  it('validates pacing settings with their limits', () => {
    expect(PacingSchema.parse({})).toEqual({ mode: 'progressive', callsPerAgent: 1.5, maxAbandonRate: 0.03, abandonWindowCalls: 100 });
    const bad = PacingSchema.safeParse({ mode: 'turbo', callsPerAgent: 0.5, maxAbandonRate: 0.5 });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['callsPerAgent', 'maxAbandonRate', 'mode']);
  });
});

describe('abandoned calls', () => {
  it('are retried like unanswered ones, with their own delay when given', () => {
    const policy = { maxAttempts: 2, retryDelaySeconds: 600, retryDelays: { abandoned: 60 } };
    expect(nextLeadStep('abandoned', 1, policy)).toEqual({ kind: 'retry', delaySeconds: 60 });
    expect(nextLeadStep('abandoned', 2, policy)).toEqual({ kind: 'done', result: 'unreached' });
  });
});
