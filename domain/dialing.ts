import type { DialingPolicy } from './campaign';

/** The outcome of one call attempt, as the dialer reports it. */
export const DISPOSITIONS = [
  'no-answer', 'busy', 'wrong-number', 'refused', 'callback-requested', 'accepted',
] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/**
 * Our own dispositions: 'not-placed' when the dialer could not place the call (after its retries),
 * 'blocked' when the last check before dialing found the customer or number on do-not-call.
 */
export type AttemptDisposition = Disposition | 'not-placed' | 'blocked';

export interface CallOutcome {
  callId: string;
  disposition: Disposition | 'blocked';
  connected: boolean;
  durationSec: number;
  callbackAt?: string;
  satisfaction?: number;
  complaint?: boolean;
  endedAt: string;
}

/** What happens to a lead after an attempt: called again after a delay, or finished. */
export type LeadStep =
  | { kind: 'retry'; delaySeconds: number }
  | { kind: 'callback'; at: string }
  | { kind: 'done'; result: 'accepted' | 'refused' | 'wrong-number' | 'unreached' | 'blocked' };

function retryDelay(
  policy: Pick<DialingPolicy, 'retryDelaySeconds' | 'retryDelays'>,
  disposition: 'no-answer' | 'busy' | 'not-placed' | 'callback-requested',
): number {
  return policy.retryDelays?.[disposition] ?? policy.retryDelaySeconds;
}

/**
 * The retry rule: unreached leads (no answer, busy, call not placed) are
 * called again after the delay for their disposition until maxAttempts; a callback request is honoured at the
 * customer's time within the same attempt budget; refusals and wrong numbers end the lead.
 */
export function nextLeadStep(
  disposition: AttemptDisposition,
  attemptsMade: number,
  policy: Pick<DialingPolicy, 'maxAttempts' | 'retryDelaySeconds' | 'retryDelays'>,
  callbackAt?: string,
): LeadStep {
  switch (disposition) {
    case 'accepted':
      return { kind: 'done', result: 'accepted' };
    case 'refused':
      return { kind: 'done', result: 'refused' };
    case 'wrong-number':
      return { kind: 'done', result: 'wrong-number' };
    case 'blocked':
      return { kind: 'done', result: 'blocked' };
    case 'callback-requested':
      if (attemptsMade >= policy.maxAttempts) return { kind: 'done', result: 'unreached' };
      return callbackAt ? { kind: 'callback', at: callbackAt } : { kind: 'retry', delaySeconds: retryDelay(policy, disposition) };
    case 'no-answer':
    case 'busy':
    case 'not-placed':
      if (attemptsMade >= policy.maxAttempts) return { kind: 'done', result: 'unreached' };
      return { kind: 'retry', delaySeconds: retryDelay(policy, disposition) };
  }
}
