import type { Queryable } from '../../db/queryable';

/**
 * Hotline interactions, recommendations and outcomes written straight to the tables, so a report
 * test knows its figures: the calls of a team, each with its handle time and what was recommended
 * in it and what came of each recommendation.
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

/** Writes an interaction, its recommendations and their outcomes; the recommendations' ids. */
export async function seedInteraction(db: Queryable, customerId: number, i: SeededInteraction): Promise<number[]> {
  const channel = i.channel ?? 'call';
  const answered = i.answered ?? channel === 'call';
  const handle = i.handleSeconds === undefined ? 60 : i.handleSeconds;
  const { rows: [row] } = await db.query<{ id: string }>(
    `INSERT INTO hotline_interactions (channel, customer_id, reason, team, agent_id, status, started_at, answered_at, ended_at, opened_by)
     SELECT $1, $2, CASE WHEN $1 = 'call' THEN 'bill-query' END, $3, $4,
            CASE WHEN NOT $6 AND $1 = 'call' THEN 'abandoned' WHEN $7::numeric IS NULL THEN 'open' ELSE 'ended' END,
            t, CASE WHEN $6 THEN t + interval '5 seconds' END,
            CASE WHEN NOT $6 AND $1 = 'call' THEN t + interval '30 seconds'
                 WHEN $7::numeric IS NOT NULL THEN t + interval '5 seconds' + make_interval(secs => $7::numeric) END,
            'test'
       FROM (SELECT $5::timestamptz AS t) s
     RETURNING id`,
    [channel, customerId, i.team ?? null, i.agent ?? null, i.at, answered, handle]);
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
