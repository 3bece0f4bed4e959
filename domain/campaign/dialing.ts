import { z } from 'zod';
import type { DialingPolicy } from './campaign';
import { IsoDateTimeSchema } from '../datetime';

/**
 * The outcome of one call attempt, as the dialer reports it. 'abandoned': the customer answered but
 * no agent of the team was free (the dialer hung up); the cost of predictive pacing, capped.
 */
export const DISPOSITIONS = [
  'no-answer', 'busy', 'wrong-number', 'refused', 'callback-requested', 'accepted', 'abandoned',
] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/**
 * Our own dispositions: 'not-placed' when the dialer could not place the call (after its retries),
 * 'blocked' when the last check before dialing found the customer or number on do-not-call.
 */
export type AttemptDisposition = Disposition | 'not-placed' | 'blocked';

/** Attempts of the batch call-placing activity; on the last, calls the dialer still refuses count as not placed. */
export const PLACE_CALLS_MAX_ATTEMPTS = 5;

/** Dispositions where a person picked up and talked to an agent. */
export const CONNECTED_DISPOSITIONS: readonly Disposition[] = ['refused', 'callback-requested', 'accepted'];

const AGENT_DISPOSITIONS_BUT_CALLBACK = ['no-answer', 'busy', 'wrong-number', 'refused', 'accepted'] as const;

/**
 * What an agent reports after a preview call (a call the agent dialed, so never 'abandoned'), with
 * `extra` fields of the caller's: a union on the disposition, so that the JSON schema itself says
 * only a callback-requested call has a callback time.
 */
export function agentReportSchema<S extends z.ZodRawShape>(extra: S) {
  /** Talk time in seconds. */
  const durationSec = z.number().int().min(0).max(86_400).optional();
  return z.discriminatedUnion('disposition', [
    z.strictObject({
      ...extra,
      disposition: z.literal('callback-requested'),
      /** When the customer asked to be called back. */
      callbackAt: IsoDateTimeSchema.optional(),
      durationSec,
    }),
    z.strictObject({
      ...extra,
      disposition: z.enum(AGENT_DISPOSITIONS_BUT_CALLBACK),
      callbackAt: z.never({ error: 'only a callback-requested call has a callback time' }).optional(),
      durationSec,
    }),
  ]);
}
export const AgentReportSchema = agentReportSchema({});
export type AgentReport = z.infer<typeof AgentReportSchema>;

export interface CallOutcome {
  callId: string;
  disposition: Disposition | 'blocked';
  connected: boolean;
  durationSec: number;
  callbackAt?: string;
  satisfaction?: number;
  complaint?: boolean;
  /** What the complaint is about. */
  complaintReason?: string;
  /** A follow-up call: the customer also bought the offer made on it. */
  resale?: boolean;
  /** The agent who took the call, when the call went to a team. */
  agentId?: string;
  endedAt: string;
}

/** What happens to a lead after an attempt: called again after a delay, or finished. */
export type LeadStep =
  | { kind: 'retry'; delaySeconds: number }
  | { kind: 'callback'; at: string }
  | { kind: 'done'; result: 'accepted' | 'refused' | 'wrong-number' | 'unreached' | 'blocked' };

function retryDelay(
  policy: Pick<DialingPolicy, 'retryDelaySeconds' | 'retryDelays'>,
  disposition: 'no-answer' | 'busy' | 'abandoned' | 'not-placed' | 'callback-requested',
): number {
  return policy.retryDelays?.[disposition] ?? policy.retryDelaySeconds;
}

/**
 * The retry rule: unreached leads (no answer, busy, abandoned, call not placed) are
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
    case 'abandoned':
    case 'not-placed':
      if (attemptsMade >= policy.maxAttempts) return { kind: 'done', result: 'unreached' };
      return { kind: 'retry', delaySeconds: retryDelay(policy, disposition) };
  }
}
