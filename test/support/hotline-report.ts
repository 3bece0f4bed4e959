import type { Queryable } from '../../db/queryable';

/**
 * Hotline calls (the dialer's events), interactions, recommendations and outcomes written straight
 * to the tables, so a report test knows its figures: the calls of a team, each with its handle time
 * and what was recommended in it and what came of each recommendation.
 */

/** What came of a recommendation, in order: nothing (made, never presented), presented, a decision. */
export type SeededOutcome = 'presented' | 'accepted' | 'refused' | 'not-now' | { referred: 'ivr' | 'sms' | 'app' | 'web' };

export interface SeededInteraction {
  channel?: 'call' | 'ivr' | 'sms' | 'app' | 'web';
  team?: string | null;
  agent?: string | null;
  /** When it started (the call came in), an ISO instant. */
  at: string;
  /** Answered by the agent 5 s after it came in (calls; a self-service visit is never answered). */
  answered?: boolean;
  /** Seconds from the answer to the end; null: not ended yet. */
  handleSeconds?: number | null;
  /** Each recommendation's outcomes. */
  recs?: SeededOutcome[][];
}

let offerSeq = 0;
let callSeq = 0;
const callTag = Math.random().toString(36).slice(2, 10);

/**
 * What the dialer reported of a call that came in at `at` (its events, as the webhook keeps them):
 * answered 5 s after, ended `handleSeconds` later (null: still on the line), or abandoned after 30 s.
 * `customerId` null: a caller the dialer's directory did not know.
 */
export async function seedCallEvents(db: Queryable, customerId: number | null, c: Omit<SeededInteraction, 'recs' | 'channel'>): Promise<string> {
  const callId = `hr-${callTag}-${++callSeq}`;
  const answered = c.answered ?? true;
  const handle = c.handleSeconds === undefined ? 60 : c.handleSeconds;
  const events: [string, string, number | null][] = answered
    ? [['inbound.answered', '5 seconds', null], ...(handle === null ? [] : [['inbound.ended', `${5 + handle} seconds`, handle] as [string, string, number]])]
    : [['inbound.abandoned', '30 seconds', null]];
  for (const [event, after, handleSec] of events) {
    await db.query(
      `INSERT INTO hotline_call_events (event_id, call_id, event, at, arrived_at, customer_id, team, agent_id, reason, handle_sec)
       VALUES ($1 || '/' || $2, $1, $2, $3::timestamptz + $4::interval, $3, $5, $6, $7, 'bill-query', $8)`,
      [callId, event, c.at, after, customerId, c.team ?? 'hotline', answered ? c.agent ?? null : null, handleSec]);
  }
  return callId;
}

/** Writes an interaction, its recommendations and their outcomes; the recommendations' ids. */
export async function seedInteraction(db: Queryable, customerId: number, i: SeededInteraction): Promise<number[]> {
  const channel = i.channel ?? 'call';
  const answered = i.answered ?? channel === 'call';
  const handle = i.handleSeconds === undefined ? 60 : i.handleSeconds;
  const callId = channel === 'call' ? await seedCallEvents(db, customerId, i) : null;
  const { rows: [row] } = await db.query<{ id: string }>(
    `INSERT INTO hotline_interactions (channel, customer_id, reason, team, agent_id, status, started_at, answered_at, ended_at, opened_by, call_id)
     SELECT $1, $2, CASE WHEN $1 = 'call' THEN 'bill-query' END, $3, $4,
            CASE WHEN NOT $6 AND $1 = 'call' THEN 'abandoned' WHEN $7::numeric IS NULL THEN 'open' ELSE 'ended' END,
            t, CASE WHEN $6 THEN t + interval '5 seconds' END,
            CASE WHEN NOT $6 AND $1 = 'call' THEN t + interval '30 seconds'
                 WHEN $7::numeric IS NOT NULL THEN t + interval '5 seconds' + make_interval(secs => $7::numeric) END,
            'test', $8
       FROM (SELECT $5::timestamptz AS t) s
     RETURNING id`,
    [channel, customerId, i.team ?? null, i.agent ?? null, i.at, answered, handle, callId]);
  const interactionId = Number(row!.id);
  const ids: number[] = [];
  for (const [index, outcomes] of (i.recs ?? []).entries()) {
    const code = `hr-offer-${++offerSeq}`;
    const { rows: [rec] } = await db.query<{ id: string }>(
      `INSERT INTO hotline_recommendations (interaction_id, customer_id, channel, offer_code, offer, completion, rank, kind, priority, propensity,
                                            value, lever, segment_key, reason, created_at)
       VALUES ($1, $2, $3, $4, $5, '{call,ivr,sms,app,web}', $6, 'cross-sell', 1, 0.1, 10, 1, 'mzone/bill-query', 'a test', $7::timestamptz + interval '10 seconds')
       RETURNING id`,
      [interactionId, customerId, channel, code, JSON.stringify({ code, name: code, price: 10 }), index + 1, i.at]);
    const recId = Number(rec!.id);
    ids.push(recId);
    for (const [n, o] of outcomes.entries()) {
      const outcome = typeof o === 'string' ? o : 'referred';
      await db.query(
        `INSERT INTO hotline_outcomes (recommendation_id, outcome, referred_channel, agent_id, recorded_by, at)
         VALUES ($1, $2, $3, $4, 'test', $5::timestamptz + make_interval(secs => 20 + $6))`,
        [recId, outcome, typeof o === 'string' ? null : o.referred, i.agent ?? null, i.at, n]);
    }
  }
  return ids;
}

/** `n` calls of a team's agent with nothing recommended, each handled in `handleSeconds` (null: not ended). */
export async function seedPlainCalls(db: Queryable, customerId: number, n: number, call: Omit<SeededInteraction, 'recs'>): Promise<void> {
  for (let k = 0; k < n; k++) await seedInteraction(db, customerId, call);
}

/** The customer completed the referral in its channel: the outcome the referral matching records (db/hotline, migration 032). */
export async function completeReferral(db: Queryable, recommendationId: number): Promise<void> {
  await db.query(`INSERT INTO hotline_outcomes (recommendation_id, outcome, recorded_by) VALUES ($1, 'completed', 'test')`, [recommendationId]);
}
