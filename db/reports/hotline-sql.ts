import type { Queryable } from '../queryable';
import { CHANNELS } from '../../domain/hotline/words';
import {
  HOTLINE_CHANNEL_COUNT_NAMES, HOTLINE_COUNT_NAMES, emptyHotlineCounts,
  type HotlineCount, type HotlineCounts, type HotlineDimension, type HotlineGroupKey, type ShareTarget,
} from '../../domain/reports/hotline';
import { MAX_GROUPS, TooManyGroups } from './report-sql';

/** A hotline report's question: local days (inclusive, the operator's zone), grouping and filters. */
export interface HotlineReportQuery {
  from: string;
  to: string;
  groupBy: HotlineGroupKey[];
  filters: Partial<Record<HotlineDimension, string>>;
  timeZone: string;
}

export interface HotlineReportRow {
  group: Partial<Record<HotlineGroupKey, string>>;
  counts: HotlineCounts;
}

/**
 * Whether the customer completed a referral (the recommendation `rec`) in the channel they were
 * referred to: the one place that says how a completed referral is recorded. The referral's
 * follow-through (part 2 of issue 16) records the customer's order in that channel as a
 * `completed` outcome of the same recommendation, after its `referred` (an `expired` one when
 * the window closes first). Were it recorded otherwise (an `accepted` outcome after the referral,
 * a referrals table's status), this is the line to change; nothing else here knows.
 */
export const referralCompleted = (rec: string): string =>
  `EXISTS (SELECT 1 FROM hotline_outcomes c WHERE c.recommendation_id = ${rec} AND c.outcome = 'completed')`;

/** Each group key as a column of the interactions below. */
const KEY: Record<HotlineGroupKey, string> = {
  team: 'f.team', agent: 'f.agent', day: `to_char(f.day, 'YYYY-MM-DD')`, month: `to_char(f.day, 'YYYY-MM')`,
};
const FILTER: Record<HotlineDimension, string> = { team: 'u.team', agent: 'u.agent' };

const col = (ch: string, figure: string) => `${ch}_${figure}`;

/**
 * The calls answered that came in on the local days $1..$2 (zone $3), from the dialer's events
 * (every call, the unidentified caller's too), each with its interaction if it has one, and every
 * other interaction that started then (self-service visits, calls never answered); each with what
 * was recommended in it (presented: any outcome; its channel: the one it was referred to, else the
 * interaction's; success: accepted there, or the referral completed), then summed per group. The
 * share target of each call is its month's (the latest set from that month or before; before the
 * first, the first).
 */
function hotlineReportSql(q: HotlineReportQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [q.from, q.to, q.timeZone];
  const where = Object.entries(q.filters).map(([dim, value]) => {
    params.push(value);
    return `AND ${FILTER[dim as HotlineDimension]} = $${params.length}`;
  });
  const perChannel = CHANNELS.flatMap((ch) => [
    `count(*) FILTER (WHERE presented AND channel = '${ch}') AS ${col(ch, 'presented')}`,
    `count(*) FILTER (WHERE presented AND channel = '${ch}' AND success) AS ${col(ch, 'successes')}`,
  ]);
  const sums: Record<HotlineCount, string> = {
    callsHandled: 'count(*) FILTER (WHERE f.handled)',
    marketingCalls: 'count(*) FILTER (WHERE f.handled AND r.presented > 0)',
    targetCalls: 'COALESCE(sum(m.target) FILTER (WHERE f.handled), 0)',
    recommendations: 'COALESCE(sum(r.recommendations), 0)',
    presented: 'COALESCE(sum(r.presented), 0)',
    successes: 'COALESCE(sum(r.successes), 0)',
    endedCallsWithOffer: 'count(f.handle_seconds) FILTER (WHERE r.presented > 0)',
    handleSecondsWithOffer: 'COALESCE(round(sum(f.handle_seconds) FILTER (WHERE r.presented > 0), 3), 0)',
    endedCallsWithoutOffer: 'count(f.handle_seconds) FILTER (WHERE COALESCE(r.presented, 0) = 0)',
    handleSecondsWithoutOffer: 'COALESCE(round(sum(f.handle_seconds) FILTER (WHERE COALESCE(r.presented, 0) = 0), 3), 0)',
  };
  const channelSums = CHANNELS.flatMap((ch) => HOTLINE_CHANNEL_COUNT_NAMES.map((n) => `COALESCE(sum(r.${col(ch, n)}), 0) AS ${col(ch, n)}`));
  const keys = q.groupBy.map((k, i) => `${KEY[k]} AS k${i}`);
  const select = [...keys, ...HOTLINE_COUNT_NAMES.map((n) => `${sums[n]} AS "${n}"`), ...channelSums];
  const grouping = keys.length ? `GROUP BY ${q.groupBy.map((k) => KEY[k]).join(', ')} ORDER BY ${keys.map((_, i) => `k${i}`).join(', ')}` : '';
  const sql = `
    WITH months AS (
      SELECT m::date AS month,
             COALESCE((SELECT t.share FROM hotline_share_targets t WHERE t.effective_month <= m ORDER BY t.effective_month DESC LIMIT 1),
                      (SELECT t.share FROM hotline_share_targets t ORDER BY t.effective_month LIMIT 1)) AS target
        FROM generate_series(date_trunc('month', $1::date::timestamp), $2::date::timestamp, interval '1 month') m
    ), calls AS (
      -- every call an agent answered, as the dialer reported it (identified or not): the answering
      -- event's team and agent (the ending one's when the answer was not heard), on the local day it came in
      SELECT DISTINCT ON (e.call_id) e.call_id, e.team, COALESCE(e.agent_id, '') AS agent, (e.arrived_at AT TIME ZONE $3)::date AS day
        FROM hotline_call_events e
       WHERE e.event IN ('inbound.answered', 'inbound.ended')
         AND e.arrived_at >= ($1::date::timestamp AT TIME ZONE $3) AND e.arrived_at < (($2::date + 1)::timestamp AT TIME ZONE $3)
       ORDER BY e.call_id, e.event = 'inbound.answered' DESC, e.at
    ), u AS (
      SELECT i.id, 'call' AS channel, c.team, c.agent, c.day, true AS handled,
             CASE WHEN x.handle_sec IS NOT NULL OR i.ended_at IS NOT NULL
                  -- talk and wrap-up as the dialer reported them; else the call's span
                  THEN coalesce(i.handle_sec, x.handle_sec, greatest(extract(epoch FROM i.ended_at - i.answered_at), 0)) END AS handle_seconds
        FROM calls c LEFT JOIN hotline_interactions i ON i.call_id = c.call_id
        LEFT JOIN LATERAL (SELECT x.handle_sec FROM hotline_call_events x WHERE x.call_id = c.call_id AND x.event = 'inbound.ended' LIMIT 1) x ON true
      UNION ALL
      -- every other interaction: self-service visits, calls no agent answered (their recommendations still count)
      SELECT i.id, i.channel, COALESCE(i.team, ''), COALESCE(i.agent_id, ''), (i.started_at AT TIME ZONE $3)::date, false, NULL
        FROM hotline_interactions i
       WHERE i.started_at >= ($1::date::timestamp AT TIME ZONE $3) AND i.started_at < (($2::date + 1)::timestamp AT TIME ZONE $3)
         AND NOT (i.channel = 'call' AND EXISTS (SELECT 1 FROM hotline_call_events a
                                                 WHERE a.call_id = i.call_id AND a.event IN ('inbound.answered', 'inbound.ended')))
    ), f AS (
      SELECT * FROM u WHERE true ${where.join(' ')}
    ), rec AS (
      SELECT r.interaction_id, o.n > 0 AS presented, COALESCE(o.referred_channel, f.channel) AS channel,
             CASE WHEN o.referred_channel IS NULL THEN COALESCE(o.accepted, false) ELSE ${referralCompleted('r.id')} END AS success
        FROM f JOIN hotline_recommendations r ON r.interaction_id = f.id
        CROSS JOIN LATERAL (
          SELECT count(*) AS n, max(x.referred_channel) AS referred_channel, bool_or(x.outcome = 'accepted') AS accepted
            FROM hotline_outcomes x WHERE x.recommendation_id = r.id) o
    ), r AS (
      SELECT interaction_id, count(*) AS recommendations, count(*) FILTER (WHERE presented) AS presented,
             count(*) FILTER (WHERE presented AND success) AS successes, ${perChannel.join(', ')}
        FROM rec GROUP BY interaction_id
    )
    SELECT ${select.join(', ')}
      FROM f JOIN months m ON m.month = date_trunc('month', f.day::timestamp)::date LEFT JOIN r ON r.interaction_id = f.id
      ${grouping} LIMIT ${MAX_GROUPS + 1}`;
  return { sql, params };
}

/** The report's groups (not grouped: one row, all zero for a period without interactions). */
export async function readHotlineReport(db: Queryable, q: HotlineReportQuery): Promise<HotlineReportRow[]> {
  const { sql, params } = hotlineReportSql(q);
  const { rows } = await db.query<Record<string, string>>(sql, params);
  if (rows.length > MAX_GROUPS) throw new TooManyGroups(`more than ${MAX_GROUPS} groups`);
  return rows.map((r) => {
    const counts = emptyHotlineCounts();
    for (const n of HOTLINE_COUNT_NAMES) counts[n] = Number(r[n]);
    for (const ch of CHANNELS) for (const n of HOTLINE_CHANNEL_COUNT_NAMES) counts.channels[ch][n] = Number(r[col(ch, n)]);
    return { group: Object.fromEntries(q.groupBy.map((k, i) => [k, r[`k${i}`] ?? ''])), counts };
  });
}

interface TargetRow { month: string; share: string; set_by: string; set_at: Date; note: string | null }

export interface ShareTargetView extends ShareTarget {
  setBy: string;
  setAt: string;
  note: string | null;
}

const targetView = (r: TargetRow): ShareTargetView => ({ from: r.month, share: Number(r.share), setBy: r.set_by, setAt: r.set_at.toISOString(), note: r.note });
const TARGET_COLUMNS = `to_char(effective_month, 'YYYY-MM') AS month, share, set_by, set_at, note`;

/** Every share target set, the earliest first. */
export const readShareTargets = async (db: Queryable): Promise<ShareTargetView[]> =>
  (await db.query<TargetRow>(`SELECT ${TARGET_COLUMNS} FROM hotline_share_targets ORDER BY effective_month`)).rows.map(targetView);

/** Sets the target from a month on (a repeat changes nothing; another share for the month replaces it). */
export async function putShareTarget(db: Queryable, month: string, share: number, by: string, note: string | null): Promise<{ target: ShareTargetView; created: boolean }> {
  const { rows: [r] } = await db.query<TargetRow & { created: boolean }>(
    `INSERT INTO hotline_share_targets (effective_month, share, set_by, note) VALUES ($1::date, $2, $3, $4)
     ON CONFLICT (effective_month) DO UPDATE SET share = EXCLUDED.share, set_by = EXCLUDED.set_by, set_at = now(), note = EXCLUDED.note
       WHERE (hotline_share_targets.share, hotline_share_targets.note) IS DISTINCT FROM (EXCLUDED.share, EXCLUDED.note)
     RETURNING ${TARGET_COLUMNS}, (xmax = 0) AS created`, [`${month}-01`, share, by, note]);
  if (r) return { target: targetView(r), created: r.created };
  const { rows: [same] } = await db.query<TargetRow>(`SELECT ${TARGET_COLUMNS} FROM hotline_share_targets WHERE effective_month = $1::date`, [`${month}-01`]);
  return { target: targetView(same!), created: false };
}
