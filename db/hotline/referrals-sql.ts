import type { SelfServiceChannel } from '../../domain/hotline/words';
import type { Queryable } from '../queryable';
import { countOutcome } from './outcomes-sql';

/**
 * Referrals (docs/hotline.md, "Referrals"): a recommendation the customer was sent to complete in a
 * self-service channel, waiting for their order there until its window closes. Opened with the
 * outcome that refers, completed by the order (in the order's own transaction), or expired by the
 * interaction's workflow when the window closes; each once.
 */

export interface ReferralRow {
  recommendation_id: string;
  interaction_id: string;
  customer_id: string;
  offer_code: string;
  channel: SelfServiceChannel;
  agent_id: string | null;
  referred_at: Date;
  expires_at: Date;
  status: 'open' | 'completed' | 'expired';
  order_id: string | null;
  segment_key: string;
  /** The interaction's: what its workflow is started with. */
  interaction_channel: string;
  call_id: string | null;
  interaction_status: string;
  team: string | null;
}

const COLUMNS = `f.recommendation_id, f.interaction_id, f.customer_id, f.offer_code, f.channel, f.agent_id, f.referred_at, f.expires_at, f.status, f.order_id,
  r.segment_key, i.channel AS interaction_channel, i.call_id, i.status AS interaction_status, i.team`;
const FROM = `hotline_referrals f JOIN hotline_recommendations r ON r.id = f.recommendation_id JOIN hotline_interactions i ON i.id = f.interaction_id`;

/**
 * Opens the referral of a recommendation just referred, in the transaction that records the
 * outcome: its window is the settings' (referral_window_seconds) from now. A repeat finds it.
 */
export async function openReferral(
  q: Queryable, r: { recommendationId: number; interactionId: number; customerId: number; offerCode: string; channel: SelfServiceChannel; agentId: string | null },
): Promise<ReferralRow> {
  await q.query(
    `INSERT INTO hotline_referrals (recommendation_id, interaction_id, customer_id, offer_code, channel, agent_id, expires_at)
     SELECT $1, $2, $3, $4, $5, $6, now() + make_interval(secs => s.referral_window_seconds) FROM hotline_settings s
     ON CONFLICT (recommendation_id) DO NOTHING`,
    [r.recommendationId, r.interactionId, r.customerId, r.offerCode, r.channel, r.agentId]);
  return (await referral(q, r.recommendationId))!;
}

export const referral = async (q: Queryable, recommendationId: number): Promise<ReferralRow | undefined> =>
  (await q.query<ReferralRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE f.recommendation_id = $1`, [recommendationId])).rows[0];

/** The referral an order completed, if any. */
export const referralOfOrder = async (q: Queryable, orderId: string): Promise<ReferralRow | undefined> =>
  (await q.query<ReferralRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE f.order_id = $1`, [orderId])).rows[0];

/**
 * The open referral an order of this offer in this channel would complete: the customer's latest
 * one still in its window (the last agent who sent them there), locked until the order's
 * transaction ends, so two orders never complete the same referral.
 */
export async function claimReferral(
  q: Queryable, o: { customerId: number; offerCode: string; channel: SelfServiceChannel },
): Promise<ReferralRow | undefined> {
  const { rows: [r] } = await q.query<ReferralRow>(
    `SELECT ${COLUMNS} FROM ${FROM}
      WHERE f.customer_id = $1 AND f.offer_code = $2 AND f.channel = $3 AND f.status = 'open' AND f.expires_at > now()
      ORDER BY f.referred_at DESC, f.recommendation_id DESC LIMIT 1
      FOR UPDATE OF f`, [o.customerId, o.offerCode, o.channel]);
  return r;
}

/**
 * The order completes the referral: recorded as its recommendation's `completed` outcome with the
 * order and the agent, and counted as an acceptance in the propensities (a referral followed
 * through is a yes, as one on the call is). In the order's transaction, on a claimed referral.
 */
export async function completeReferral(q: Queryable, r: ReferralRow, orderId: string): Promise<void> {
  const { rowCount } = await q.query(
    `UPDATE hotline_referrals SET status = 'completed', order_id = $2, resolved_at = now() WHERE recommendation_id = $1 AND status = 'open'`,
    [r.recommendation_id, orderId]);
  if (!rowCount) return;
  await q.query(
    `INSERT INTO hotline_outcomes (recommendation_id, outcome, order_id, agent_id, recorded_by) VALUES ($1, 'completed', $2, $3, $4)
     ON CONFLICT DO NOTHING`, [r.recommendation_id, orderId, r.agent_id, `order ${orderId} (${r.channel})`]);
  await countOutcome(q, r.offer_code, r.segment_key, { presented: 0, accepted: 1 });
}

export type Expiry =
  | { status: 'expired' }
  | { status: 'completed'; orderId: string }
  | { status: 'open'; expiresAt: string }
  | { status: 'unknown' };

/**
 * The referral's window closed: expired unless an order completed it first (then that order), or
 * still open when Postgres's clock has not reached the window's end. Recorded as the
 * recommendation's `expired` outcome; a repeat finds what was recorded.
 */
export async function expireReferral(q: Queryable, recommendationId: number): Promise<Expiry> {
  const { rows: [expired] } = await q.query<{ agent_id: string | null }>(
    `UPDATE hotline_referrals SET status = 'expired', resolved_at = now()
      WHERE recommendation_id = $1 AND status = 'open' AND expires_at <= now() RETURNING agent_id`, [recommendationId]);
  if (expired) {
    await q.query(
      `INSERT INTO hotline_outcomes (recommendation_id, outcome, agent_id, recorded_by) VALUES ($1, 'expired', $2, 'the referral window')
       ON CONFLICT DO NOTHING`, [recommendationId, expired.agent_id]);
    return { status: 'expired' };
  }
  const r = await referral(q, recommendationId);
  if (!r) return { status: 'unknown' };
  if (r.status === 'completed') return { status: 'completed', orderId: r.order_id! };
  if (r.status === 'expired') return { status: 'expired' };
  return { status: 'open', expiresAt: r.expires_at.toISOString() };
}

/**
 * What the referral sweep looks at (at most `limit` of each): open referrals whose window has
 * closed, and open ones referred over a minute ago (the request's own follow-up had its chance)
 * whose workflow it has not checked in the last hour, the least lately checked first.
 */
export async function referralsToSweep(q: Queryable, limit: number): Promise<{ expired: string[]; toCheck: ReferralRow[] }> {
  const { rows: expired } = await q.query<{ recommendation_id: string }>(
    `SELECT recommendation_id FROM hotline_referrals WHERE status = 'open' AND expires_at <= now() ORDER BY expires_at LIMIT $1`, [limit]);
  const { rows: toCheck } = await q.query<ReferralRow>(
    `SELECT ${COLUMNS} FROM ${FROM}
      WHERE f.status = 'open' AND f.expires_at > now() AND f.referred_at < now() - interval '1 minute'
        AND (f.swept_at IS NULL OR f.swept_at < now() - interval '1 hour')
      ORDER BY f.swept_at NULLS FIRST, f.referred_at LIMIT $1`, [limit]);
  return { expired: expired.map((r) => r.recommendation_id), toCheck };
}

/** The sweep checked the referral's workflow (and followed it if none ran). */
export async function markSwept(q: Queryable, recommendationId: string): Promise<void> {
  await q.query('UPDATE hotline_referrals SET swept_at = now() WHERE recommendation_id = $1', [recommendationId]);
}
