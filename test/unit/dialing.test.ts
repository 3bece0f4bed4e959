import { describe, expect, it } from 'vitest';
import { nextLeadStep } from '../../domain/campaign/dialing';

const policy = { maxAttempts: 3, retryDelaySeconds: 600 };

describe('nextLeadStep: what happens to a lead after an attempt', () => {
  it('ends the lead on acceptance, refusal and wrong number', () => {
    expect(nextLeadStep('accepted', 1, policy)).toEqual({ kind: 'done', result: 'accepted' });
    expect(nextLeadStep('refused', 1, policy)).toEqual({ kind: 'done', result: 'refused' });
    expect(nextLeadStep('wrong-number', 1, policy)).toEqual({ kind: 'done', result: 'wrong-number' });
  });

  it('retries unreached leads after the delay until the attempts run out', () => {
    for (const d of ['no-answer', 'busy', 'not-placed'] as const) {
      expect(nextLeadStep(d, 1, policy)).toEqual({ kind: 'retry', delaySeconds: 600 });
      expect(nextLeadStep(d, 2, policy)).toEqual({ kind: 'retry', delaySeconds: 600 });
      expect(nextLeadStep(d, 3, policy)).toEqual({ kind: 'done', result: 'unreached' });
    }
  });

  it("honours a callback at the customer's time, within the attempt budget", () => {
    const at = '2026-11-23T10:00:00.000Z';
    expect(nextLeadStep('callback-requested', 1, policy, at)).toEqual({ kind: 'callback', at });
    expect(nextLeadStep('callback-requested', 1, policy)).toEqual({ kind: 'retry', delaySeconds: 600 });
    expect(nextLeadStep('callback-requested', 3, policy, at)).toEqual({ kind: 'done', result: 'unreached' });
  });
});

describe('retry delays per disposition', () => {
  it('uses the delay named for the disposition, else the campaign default', () => {
    const perDisposition = { maxAttempts: 5, retryDelaySeconds: 600, retryDelays: { busy: 60, 'no-answer': 7200 } };
    expect(nextLeadStep('busy', 1, perDisposition)).toEqual({ kind: 'retry', delaySeconds: 60 });
    expect(nextLeadStep('no-answer', 1, perDisposition)).toEqual({ kind: 'retry', delaySeconds: 7200 });
    expect(nextLeadStep('not-placed', 1, perDisposition)).toEqual({ kind: 'retry', delaySeconds: 600 });
  });
});
