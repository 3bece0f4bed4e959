import type { Queryable } from '../queryable';
import { NOT_DIALED } from '../../domain/reports/funnel';
import type { CampaignStatus } from '../../domain/campaign/campaign';

/** Campaigns still under way: their list being pulled, dialing, or paused (a paused one may resume any moment). */
export const LIVE_STATUSES: readonly CampaignStatus[] = ['pulling', 'running', 'paused'];
/** Campaigns that have ended, for better or worse. */
export const ENDED_STATUSES: readonly CampaignStatus[] = ['completed', 'cancelled', 'failed'];

/** A campaign as a wall screen shows it: what it is and how it dials now. */
export interface CampaignPace {
  id: string;
  name: string;
  status: CampaignStatus;
  createdAt: Date;
  /** When its status last changed (for an ended one, when it ended). */
  updatedAt: Date;
  /** The settings in force (its latest settings version): dialing limits and pacing. */
  maxConcurrentCalls: number | null;
  pacingMode: string | null;
  callsPerAgent: number | null;
  maxAbandonRate: number | null;
  /** Its calls ringing or talking now (placed in the last two hours, no outcome yet; none once it ended). */
  inFlight: number;
  /** Of its most recent answered calls (as many as its pacing judges by), those answered and those abandoned. */
  answered: number;
  abandoned: number;
}

const NOT_RANG = NOT_DIALED.map((d) => `'${d}'`).join(', ');

/**
 * Live campaigns (LIVE_STATUSES) and the `endedLimit` that ended last within `endedWithinHours`, with
 * their pacing as the contact log and the settings in force tell it: one statement, whatever their number.
 */
export async function readCampaignPaces(db: Queryable, opts: { endedWithinHours: number; endedLimit: number }): Promise<CampaignPace[]> {
  const { rows } = await db.query<{
    id: string; name: string; status: CampaignStatus; created_at: Date; updated_at: Date; settings: Record<string, any> | null; // eslint-disable-line @typescript-eslint/no-explicit-any
    in_flight: string; answered: string; abandoned: string;
  }>(
    `WITH shown AS (
       (SELECT * FROM campaigns WHERE status = ANY($1::text[]) ORDER BY created_at, id)
       UNION ALL
       (SELECT * FROM campaigns WHERE status = ANY($2::text[]) AND updated_at > now() - make_interval(hours => $3::int)
         ORDER BY updated_at DESC, id LIMIT $4::int))
     SELECT c.id, c.name, c.status, c.created_at, c.updated_at, v.definition AS settings,
            (SELECT count(*) FROM call_attempts a WHERE a.campaign_id = c.id AND a.purpose = 'sales' AND a.ended_at IS NULL
               AND a.started_at > now() - interval '2 hours' AND c.status = ANY($1::text[])) AS in_flight,
            ab.answered, ab.abandoned
       FROM shown c
       LEFT JOIN LATERAL (SELECT definition FROM campaign_settings_versions WHERE campaign_id = c.id ORDER BY version DESC LIMIT 1) v ON true
       LEFT JOIN LATERAL (
         SELECT count(*) AS answered, count(*) FILTER (WHERE r.disposition = 'abandoned') AS abandoned
           FROM (SELECT a.disposition FROM call_attempts a
                  WHERE a.campaign_id = c.id AND a.purpose = 'sales' AND a.ended_at IS NOT NULL AND (a.connected OR a.disposition = 'abandoned')
                  ORDER BY a.ended_at DESC LIMIT COALESCE((v.definition #>> '{pacing,abandonWindowCalls}')::int, 100)) r) ab ON true`,
    [LIVE_STATUSES, ENDED_STATUSES, opts.endedWithinHours, opts.endedLimit]);
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  return rows.map((r) => ({
    id: r.id, name: r.name, status: r.status, createdAt: r.created_at, updatedAt: r.updated_at,
    maxConcurrentCalls: num(r.settings?.dialing?.maxConcurrentCalls), pacingMode: typeof r.settings?.pacing?.mode === 'string' ? r.settings.pacing.mode : null,
    callsPerAgent: num(r.settings?.pacing?.callsPerAgent), maxAbandonRate: num(r.settings?.pacing?.maxAbandonRate),
    inFlight: Number(r.in_flight), answered: Number(r.answered), abandoned: Number(r.abandoned),
  }));
}

/**
 * Calls placed that rang (not the ones not placed or blocked at dialing, as the reports count
 * calls) per campaign and minute over the last `minutes` minutes: minute 0 is the current one.
 */
export async function readCallsPerMinute(db: Queryable, campaignIds: readonly string[], minutes: number): Promise<Map<string, number[]>> {
  const perMinute = new Map(campaignIds.map((id) => [id, Array.from({ length: minutes }, () => 0)]));
  if (!campaignIds.length) return perMinute;
  const { rows } = await db.query<{ campaign_id: string; ago: number; calls: string }>(
    `SELECT campaign_id, floor(extract(epoch FROM now() - started_at) / 60)::int AS ago, count(*) AS calls
       FROM call_attempts
      WHERE campaign_id = ANY($1::text[]) AND purpose = 'sales' AND started_at > now() - make_interval(mins => $2::int)
        AND (disposition IS NULL OR disposition NOT IN (${NOT_RANG}))
      GROUP BY 1, 2`,
    [campaignIds, minutes]);
  for (const r of rows) {
    const series = perMinute.get(r.campaign_id);
    if (series && r.ago >= 0 && r.ago < minutes) series[r.ago] = Number(r.calls);
  }
  return perMinute;
}
