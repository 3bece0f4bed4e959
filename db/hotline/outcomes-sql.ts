import type pg from 'pg';
import { countsDelta, type Counts } from '../../domain/hotline/propensity';
import { outcomeVerdict, type NewOutcome, type OutcomeVerdict, type RecordedOutcome } from '../../domain/hotline/outcomes';
import { OUTCOMES, type Channel, type FollowThrough, type Outcome } from '../../domain/hotline/words';
import type { Queryable } from '../queryable';
import type { OrderOffer } from './recommend-sql';

/** Outcomes of recommendations, and the propensity counts they feed, in one transaction. */

export interface RecommendationRow {
  id: string;
  interaction_id: string;
  customer_id: string;
  channel: Channel;
  agent_id: string | null;
  offer_code: string;
  offer: OrderOffer;
  completion: Channel[];
  segment_key: string;
  campaign_id: string | null;
  outcomes: OutcomeRow[];
}

export interface OutcomeRow {
  /** A person's outcome, or what became of a referral (completed, expired). */
  outcome: Outcome | FollowThrough;
  referred_channel: string | null;
  order_id: string | null;
  agent_id: string | null;
  recorded_by: string;
  at: Date;
}

const OUTCOMES_OF = (rec: string) => `coalesce((SELECT json_agg(o ORDER BY o.at, o.outcome) FROM
    (SELECT outcome, referred_channel, order_id, agent_id, recorded_by, at FROM hotline_outcomes WHERE recommendation_id = ${rec}) o), '[]')`;

/** A recommendation of an interaction, with the interaction's channel and agent and its outcomes so far. */
export async function recommendation(q: Queryable, interactionId: number, recommendationId: number, lock = false): Promise<RecommendationRow | undefined> {
  // The lock first, by a statement of its own: the read after it sees what the lock's holder
  // committed (a statement that locks and reads at once reads its outcomes as they were before).
  if (lock && !(await q.query('SELECT 1 FROM hotline_recommendations WHERE id = $1 AND interaction_id = $2 FOR UPDATE', [recommendationId, interactionId])).rowCount) {
    return undefined;
  }
  const { rows: [r] } = await q.query<RecommendationRow & { outcomes: (Omit<OutcomeRow, 'at'> & { at: string })[] }>(
    `SELECT r.id, r.interaction_id, r.customer_id, i.channel, i.agent_id, r.offer_code, r.offer, r.completion, r.segment_key, r.campaign_id,
            ${OUTCOMES_OF('r.id')} AS outcomes
       FROM hotline_recommendations r JOIN hotline_interactions i ON i.id = r.interaction_id
      WHERE r.id = $1 AND r.interaction_id = $2`, [recommendationId, interactionId]);
  return r ? { ...r, outcomes: r.outcomes.map((o) => ({ ...o, at: new Date(o.at) })) } : undefined;
}

/** The outcomes people reported (a referral's completion or expiry is the system's, after the decision). */
export const recordedOutcomes = (rec: RecommendationRow): RecordedOutcome[] =>
  rec.outcomes.flatMap((o) => (isReported(o.outcome) ? [{ outcome: o.outcome, referredChannel: o.referred_channel }] : []));

const isReported = (o: OutcomeRow['outcome']): o is Outcome => (OUTCOMES as readonly string[]).includes(o);

/** Adds an outcome's counts to the offer's segment and to the offer over every segment. */
export async function countOutcome(q: Queryable, offerCode: string, segmentKey: string, delta: Counts): Promise<void> {
  if (!delta.presented && !delta.accepted) return;
  // The version first, in the same statement (migration 037): API processes keep the counts in memory by version.
  const { rowCount } = await q.query(
    `WITH v AS (UPDATE hotline_propensity_version SET version = version + 1 RETURNING version)
     INSERT INTO hotline_propensity (offer_code, segment_key, presented, accepted)
     SELECT $1::text, x.segment_key, $3::int, $4::int FROM v, (VALUES ($2::text), ('*')) AS x(segment_key)
     ON CONFLICT (offer_code, segment_key) DO UPDATE SET presented = hotline_propensity.presented + EXCLUDED.presented,
       accepted = hotline_propensity.accepted + EXCLUDED.accepted, updated_at = now()`,
    [offerCode, segmentKey, delta.presented, delta.accepted]);
  if (rowCount !== 2) throw new Error('hotline_propensity_version has no row (migration 037): the counts were not written');
}

export type Recorded = { verdict: Extract<OutcomeVerdict, { kind: 'new' | 'repeat' }>; outcome: OutcomeRow } | { verdict: Exclude<OutcomeVerdict, { kind: 'new' | 'repeat' }> };

/**
 * Records an outcome under the recommendation's lock, its rules checked again there (another
 * request may have decided it meanwhile), and counts it: a repeat writes nothing and answers the
 * outcome recorded first.
 */
export async function recordOutcome(
  tx: pg.PoolClient, interactionId: number, recommendationId: number,
  next: NewOutcome & { orderId: string | null; agentId: string | null; recordedBy: string },
): Promise<Recorded | undefined> {
  const rec = await recommendation(tx, interactionId, recommendationId, true);
  if (!rec) return undefined;
  const earlier = recordedOutcomes(rec);
  const verdict = outcomeVerdict(earlier, next, { completion: rec.completion, channel: rec.channel });
  if (verdict.kind === 'repeat') return { verdict, outcome: rec.outcomes.find((o) => o.outcome === next.outcome)! };
  if (verdict.kind !== 'new') return { verdict };
  const { rows: [row] } = await tx.query<OutcomeRow>(
    `INSERT INTO hotline_outcomes (recommendation_id, outcome, referred_channel, order_id, agent_id, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING outcome, referred_channel, order_id, agent_id, recorded_by, at`,
    [recommendationId, next.outcome, next.referredChannel ?? null, next.orderId, next.agentId, next.recordedBy]);
  await countOutcome(tx, rec.offer_code, rec.segment_key, countsDelta(earlier.map((o) => o.outcome), next.outcome));
  return { verdict, outcome: row! };
}
