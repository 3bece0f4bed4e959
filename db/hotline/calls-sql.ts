import type { CallFacts } from '../../domain/hotline/call-events';
import { STATUS_ORDER } from '../../domain/hotline/call-events';
import type { Queryable } from '../queryable';

/**
 * The dialer's inbound calls, as their webhooks report them: every event kept once (by its
 * eventId), and the interaction of an identified caller kept up to date, whatever order the events
 * come in. No number is written: the caller is the customer the dialer's directory named.
 */

export interface CallInteraction {
  id: string;
  customer_id: string;
  call_id: string;
  status: string;
  agent_id: string | null;
  team: string | null;
  reason: string | null;
}

export interface RecordedCallEvent {
  /** This event was not received before (a copy, a retry: false). */
  first: boolean;
  /** The call's interaction; none for a caller the directory did not know, or a customer we do not have (erased, unknown). */
  interaction: CallInteraction | undefined;
}

/** The status SQL keeps: the later of the two along the call's way (domain/hotline/call-events.ts STATUS_ORDER). */
const RANK = (status: string) => `array_position(ARRAY[${STATUS_ORDER.map((s) => `'${s}'`).join(', ')}]::text[], ${status})`;

/**
 * Records one event, in the caller's transaction. The interaction is made by the first event of an
 * identified caller's call (or was opened by the agent with its call id) and only ever moves on: its
 * status to the later one, each time as first reported, the call's start to the earliest heard.
 */
export async function recordCallEvent(q: Queryable, f: CallFacts): Promise<RecordedCallEvent> {
  const { rowCount } = await q.query(
    `INSERT INTO hotline_call_events (event_id, call_id, event, at, arrived_at, customer_id, team, agent_id, reason, handle_sec)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (event_id) DO NOTHING`,
    [f.eventId, f.callId, f.event, f.at, f.arrivedAt, f.customerId, f.team, f.agentId, f.dialerReason, f.handleSec]);
  if (f.customerId === null) return { first: rowCount === 1, interaction: undefined };
  const { rows: [interaction] } = await q.query<CallInteraction>(
    `INSERT INTO hotline_interactions AS i (call_id, channel, customer_id, reason, team, agent_id, status, started_at, offered_at, answered_at, ended_at,
                                          queue_wait_sec, talk_sec, wrap_up_sec, handle_sec, ended_by, abandon_cause, opened_by)
     SELECT $1, 'call', c.id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'dialer'
       FROM customers c WHERE c.id = $2 AND c.erased_at IS NULL
     ON CONFLICT (call_id) DO UPDATE SET
       status = CASE WHEN ${RANK('EXCLUDED.status')} > ${RANK('i.status')} THEN EXCLUDED.status ELSE i.status END,
       reason = coalesce(i.reason, EXCLUDED.reason), team = coalesce(i.team, EXCLUDED.team), agent_id = coalesce(i.agent_id, EXCLUDED.agent_id),
       started_at = least(i.started_at, EXCLUDED.started_at), offered_at = coalesce(i.offered_at, EXCLUDED.offered_at),
       answered_at = coalesce(i.answered_at, EXCLUDED.answered_at), ended_at = coalesce(i.ended_at, EXCLUDED.ended_at),
       queue_wait_sec = coalesce(i.queue_wait_sec, EXCLUDED.queue_wait_sec), talk_sec = coalesce(i.talk_sec, EXCLUDED.talk_sec),
       wrap_up_sec = coalesce(i.wrap_up_sec, EXCLUDED.wrap_up_sec), handle_sec = coalesce(i.handle_sec, EXCLUDED.handle_sec),
       ended_by = coalesce(i.ended_by, EXCLUDED.ended_by), abandon_cause = coalesce(i.abandon_cause, EXCLUDED.abandon_cause)
     RETURNING i.id, i.customer_id, i.call_id, i.status, i.agent_id, i.team, i.reason`,
    [f.callId, f.customerId, f.reason, f.team, f.agentId, f.status, f.arrivedAt, f.offeredAt, f.answeredAt, f.endedAt,
      f.queueWaitSec, f.talkSec, f.wrapUpSec, f.handleSec, f.endedBy, f.abandonCause]);
  if (interaction) {
    await q.query('UPDATE hotline_call_events SET interaction_id = $2 WHERE event_id = $1 AND interaction_id IS NULL', [f.eventId, interaction.id]);
  }
  return { first: rowCount === 1, interaction };
}
