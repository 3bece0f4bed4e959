import { z } from 'zod';
import { IsoDateTimeSchema } from '../datetime';
import { noNul } from '../text';
import { CALL_REASONS, type CallReason, type InteractionStatus } from './words';

/**
 * The dialer's inbound webhooks (sim/README.md, "Hotline"), as the API takes them: the contract a
 * real dialer that replaces the sim honours, written here as the outbound one is in
 * api/campaign/dialer-webhook.ts (the API does not import the sim). Fields the dialer adds later
 * are dropped, not refused; the ones we read are checked, bounded as Postgres keeps them.
 */

const Seconds = z.number().min(0).max(864_000);
const Code = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes, at most 40');
const CallFacts = {
  eventId: noNul(1, 200),
  callId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,119}$/, 'letters, digits, _ . : and -, at most 120'),
  /** The caller's number: used by the dialer to identify them, never kept here (the customer's own record has it). */
  ani: z.string().regex(/^\+?\d{5,20}$/, 'expected 5 to 20 digits, optionally after a +'),
  /** Who the dialer's directory says is calling; absent for a number it does not know. */
  customerId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  reason: Code,
  team: Code,
  arrivedAt: IsoDateTimeSchema,
  queueWaitSec: Seconds,
};
const AgentId = noNul(1, 60);
const PutThrough = { agentId: AgentId, offeredAt: IsoDateTimeSchema };

export const InboundEventSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('inbound.offered'), ...CallFacts, ...PutThrough }),
  z.object({ event: z.literal('inbound.answered'), ...CallFacts, ...PutThrough, answeredAt: IsoDateTimeSchema }),
  z.object({ event: z.literal('inbound.abandoned'), ...CallFacts, abandonedAt: IsoDateTimeSchema, cause: z.enum(['caller-hung-up', 'max-wait']) }),
  z.object({
    event: z.literal('inbound.ended'), ...CallFacts, ...PutThrough, answeredAt: IsoDateTimeSchema, endedAt: IsoDateTimeSchema,
    talkSec: Seconds, wrapUpSec: Seconds, handleSec: Seconds, endedBy: z.enum(['caller', 'agent']),
  }),
]);
export type InboundEvent = z.infer<typeof InboundEventSchema>;

/** What an event tells of its call, as the interaction records it: every field it knows, the rest null. */
export interface CallFacts {
  eventId: string;
  event: InboundEvent['event'];
  callId: string;
  customerId: number | null;
  /** The dialer's reason code, and ours: one of the hotline's reasons, else 'other'. */
  dialerReason: string;
  reason: CallReason;
  team: string;
  agentId: string | null;
  /** The call's state once this event happened. */
  status: InteractionStatus;
  /** When the event happened, by the dialer's clock. */
  at: string;
  arrivedAt: string;
  offeredAt: string | null;
  answeredAt: string | null;
  endedAt: string | null;
  queueWaitSec: number;
  talkSec: number | null;
  wrapUpSec: number | null;
  handleSec: number | null;
  endedBy: 'caller' | 'agent' | null;
  abandonCause: 'caller-hung-up' | 'max-wait' | null;
}

const STATUS: Record<InboundEvent['event'], InteractionStatus> = {
  // put through, ringing at the agent: not under way until answered
  'inbound.offered': 'queued', 'inbound.answered': 'open', 'inbound.abandoned': 'abandoned', 'inbound.ended': 'ended',
};

/**
 * How far a call has come: a status only moves forward, so events that arrive out of order (the
 * dialer's delays can reorder them) or twice leave the call where its latest event put it. A call
 * that reached an agent is never abandoned, one abandoned never answered: the two ends never meet.
 */
export const STATUS_ORDER: readonly InteractionStatus[] = ['queued', 'open', 'abandoned', 'ended'];

export const laterStatus = (a: InteractionStatus, b: InteractionStatus): InteractionStatus =>
  (STATUS_ORDER.indexOf(b) > STATUS_ORDER.indexOf(a) ? b : a);

export const ourReason = (code: string): CallReason => ((CALL_REASONS as readonly string[]).includes(code) ? code as CallReason : 'other');

export function callFacts(e: InboundEvent): CallFacts {
  const put = 'agentId' in e ? e : undefined;
  const answered = e.event === 'inbound.answered' || e.event === 'inbound.ended' ? e : undefined;
  const ended = e.event === 'inbound.ended' ? e : undefined;
  const abandoned = e.event === 'inbound.abandoned' ? e : undefined;
  return {
    eventId: e.eventId, event: e.event, callId: e.callId, customerId: e.customerId ?? null, dialerReason: e.reason, reason: ourReason(e.reason),
    team: e.team, agentId: put?.agentId ?? null, status: STATUS[e.event],
    at: ended?.endedAt ?? answered?.answeredAt ?? abandoned?.abandonedAt ?? put?.offeredAt ?? e.arrivedAt,
    arrivedAt: e.arrivedAt, offeredAt: put?.offeredAt ?? null, answeredAt: answered?.answeredAt ?? null, endedAt: ended?.endedAt ?? abandoned?.abandonedAt ?? null,
    queueWaitSec: e.queueWaitSec, talkSec: ended?.talkSec ?? null, wrapUpSec: ended?.wrapUpSec ?? null, handleSec: ended?.handleSec ?? null,
    endedBy: ended?.endedBy ?? null, abandonCause: abandoned?.cause ?? null,
  };
}

/**
 * What the interaction's workflow hears of this event: an answered call starts it (the call is
 * under way), an ended one tells it the call is over (and starts it if the answer was lost or is
 * late); ringing and abandoned calls have no workflow (nothing to follow through).
 */
export function workflowStep(event: InboundEvent['event']): 'start' | 'end' | 'none' {
  if (event === 'inbound.answered') return 'start';
  if (event === 'inbound.ended') return 'end';
  return 'none';
}
