import { NOT_DIALED } from '../../domain/reports/funnel';

/**
 * The rollups' one definition (domain/reports/figures.ts says what each count means): the rows of
 * report_daily for the local days $2..$3 (dates, inclusive) of one campaign ($1; '' for orders
 * that came without one), or of every campaign. Each fact is counted on its own local day, in the
 * time zone of the customer's region; timestamps are first narrowed by a UTC window a day wider
 * on each side, so the indexes on the times serve.
 */
export type RollupScope = 'campaign' | 'no-campaign' | 'all';

const notDialed = NOT_DIALED.map((d) => `'${d}'`).join(', ');
const DIALED = `(a.disposition IS NOT NULL AND a.disposition NOT IN (${notDialed}))`;
const localDay = (ts: string, tz = 'r.time_zone') => `(${ts} AT TIME ZONE ${tz})::date`;
const inWindow = (ts: string) => `${ts} >= $2::date - 1 AND ${ts} < $3::date + 2`;
const onDays = (ts: string) => `${localDay(ts)} BETWEEN $2::date AND $3::date`;

const MEASURES = [
  'listed', 'dialed', 'connected', 'accepted', 'calls', 'connected_calls', 'talk_sec', 'abandoned', 'ordered', 'delivered',
  'first_deliveries', 'first_time_delivered', 'activated', 'activation_days', 'followed_up', 'satisfaction_sum', 'satisfaction_n',
  'complaints', 'lost_90',
] as const;
type Measure = (typeof MEASURES)[number];
const KEYS = ['day', 'campaign_id', 'offer', 'team', 'agent_id', 'region', 'city', 'channel'] as const;

/** One fact source's SELECT list: its keys, then every measure (0 where it has none). */
function select(keys: Record<(typeof KEYS)[number], string>, measures: Partial<Record<Measure, string>>): string {
  // A comparison with a null (a call still ringing has no disposition) is null: none, not a count.
  return [...KEYS.map((k) => `${keys[k]} AS ${k}`), ...MEASURES.map((m) => `COALESCE(${measures[m] ?? '0'}, 0) AS ${m}`)].join(', ');
}

// '' for a campaign whose definition names no offer (a row written by hand): a null key stopped every refresh.
const OFFER = `COALESCE(c.definition->'offer'->>'code', '')`;
const CAMPAIGN_TEAM = `COALESCE(c.definition->>'team', '')`;

/** An order's keys in the reports (all but the day), from `o` joined with ORDER_JOINS. */
export const ORDER_DIMS = {
  campaign_id: `COALESCE(o.campaign_id, '')`, offer: 'o.offer_code', team: `COALESCE(ag.team, ${CAMPAIGN_TEAM})`,
  agent_id: `COALESCE(o.agent_id, '')`, region: 'o.region', city: `COALESCE(cu.city, '')`, channel: 'o.channel',
};
export const ORDER_JOINS = `JOIN regions r ON r.code = o.region LEFT JOIN campaigns c ON c.id = o.campaign_id
    LEFT JOIN customers cu ON cu.id = o.customer_id LEFT JOIN agents ag ON ag.id = o.agent_id`;
/** An order fact's keys as a SELECT list, its day that of the timestamp `ts` in the region's zone. */
export const orderKeys = (ts: string) =>
  [`${localDay(ts)} AS day`, ...Object.entries(ORDER_DIMS).map(([k, v]) => `${v} AS ${k}`)].join(', ');
export { localDay };

export function rollupSelect(scope: RollupScope): string {
  const orderDims = ORDER_DIMS;
  const orderJoins = ORDER_JOINS;
  // Calls and leads always have a campaign; orders from other channels have none (the '' slice).
  const callCampaign = scope === 'all' ? '$1::text IS NULL AND ' : scope === 'campaign' ? 'a.campaign_id = $1 AND ' : `$1 = '' AND false AND `;
  const leadCampaign = scope === 'campaign' ? 'l.campaign_id = $1 AND ' : scope === 'no-campaign' ? 'false AND ' : '';
  const orderCampaign = scope === 'campaign' ? 'o.campaign_id = $1 AND ' : scope === 'no-campaign' ? 'o.campaign_id IS NULL AND ' : '';
  return `
  WITH calls AS (
    SELECT a.*, l.region, l.customer_id AS lead_customer, r.time_zone, ${DIALED} AS rang
      FROM call_attempts a JOIN leads l ON l.id = a.lead_id JOIN regions r ON r.code = l.region
     WHERE ${callCampaign}a.purpose = 'sales' AND ${inWindow('a.started_at')} AND ${onDays('a.started_at')}
  ), firsts AS (
    SELECT a.lead_id,
           min(a.started_at) FILTER (WHERE ${DIALED}) AS first_rang,
           min(a.started_at) FILTER (WHERE a.connected) AS first_connected
      FROM call_attempts a
     WHERE ${callCampaign}a.purpose = 'sales' AND a.lead_id IN (SELECT lead_id FROM calls)
     GROUP BY a.lead_id
  ), facts AS (
    SELECT ${select({
      day: localDay('l.listed_at'), campaign_id: 'l.campaign_id', offer: OFFER, team: CAMPAIGN_TEAM, agent_id: `''`,
      region: 'l.region', city: 'cu.city', channel: `'outbound'`,
    }, { listed: '1' })}
      FROM leads l JOIN regions r ON r.code = l.region JOIN campaigns c ON c.id = l.campaign_id JOIN customers cu ON cu.id = l.customer_id
     WHERE ${leadCampaign}l.state <> 'held-out' AND ${inWindow('l.listed_at')} AND ${onDays('l.listed_at')}
    UNION ALL
    SELECT ${select({
      day: localDay('a.started_at', 'a.time_zone'), campaign_id: 'a.campaign_id', offer: OFFER, team: `COALESCE(ag.team, ${CAMPAIGN_TEAM})`,
      agent_id: `COALESCE(a.agent_id, '')`, region: 'a.region', city: 'cu.city', channel: `'outbound'`,
    }, {
      dialed: `(a.rang AND a.started_at = f.first_rang)::int`, connected: `(a.connected IS TRUE AND a.started_at = f.first_connected)::int`,
      accepted: `(a.disposition = 'accepted')::int`, calls: 'a.rang::int', connected_calls: '(a.connected IS TRUE)::int',
      talk_sec: `CASE WHEN a.connected THEN COALESCE(a.duration_sec, 0) ELSE 0 END`, abandoned: `(a.disposition = 'abandoned')::int`,
    })}
      FROM calls a JOIN firsts f ON f.lead_id = a.lead_id JOIN campaigns c ON c.id = a.campaign_id
      JOIN customers cu ON cu.id = a.lead_customer LEFT JOIN agents ag ON ag.id = a.agent_id
    UNION ALL
    SELECT ${select({ day: localDay('t.at'), ...orderDims }, {
      ordered: `(t.kind = 'ordered')::int`, delivered: `(t.kind = 'delivered')::int`, activated: `(t.kind = 'activated')::int`,
      activation_days: `CASE WHEN t.kind = 'activated' THEN extract(epoch FROM o.activated_at - o.created_at) / 86400 ELSE 0 END`,
      followed_up: `(t.kind = 'followed' AND o.followup_result = 'reached')::int`,
      satisfaction_sum: `CASE WHEN t.kind = 'followed' THEN COALESCE(o.satisfaction, 0) ELSE 0 END`,
      satisfaction_n: `(t.kind = 'followed' AND o.satisfaction IS NOT NULL)::int`,
      lost_90: `(t.kind = 'activated' AND (o.deactivated_at < o.activated_at + interval '90 days'
                                           OR cu.churned_at BETWEEN ${localDay('o.activated_at')} AND ${localDay('o.activated_at')} + 89))::int`,
    })}
      FROM orders o ${orderJoins}
     CROSS JOIN LATERAL (VALUES ('ordered', o.created_at), ('delivered', o.delivered_at), ('activated', o.activated_at),
                                ('followed', o.followed_up_at)) t(kind, at)
     WHERE ${orderCampaign}t.at IS NOT NULL AND ${inWindow('t.at')} AND ${onDays('t.at')}
    UNION ALL
    SELECT ${select({ day: localDay('d.outcome_at'), ...orderDims }, {
      first_deliveries: '1', first_time_delivered: `(d.outcome = 'delivered')::int`,
    })}
      FROM deliveries d JOIN orders o ON o.id = d.order_id ${orderJoins}
     WHERE ${orderCampaign}d.attempt = 1 AND d.kind = 'delivery' AND d.outcome IS NOT NULL AND ${inWindow('d.outcome_at')} AND ${onDays('d.outcome_at')}
    UNION ALL
    SELECT ${select({ day: localDay('k.at'), ...orderDims }, { complaints: '1' })}
      FROM complaints k JOIN orders o ON o.id = k.order_id ${orderJoins}
     WHERE ${orderCampaign}${inWindow('k.at')} AND ${onDays('k.at')}
  )
  SELECT ${KEYS.join(', ')}, ${MEASURES.map((m) => `sum(${m}) AS ${m}`).join(', ')}
    FROM facts GROUP BY ${KEYS.join(', ')}`;
}

const COLUMNS = `${KEYS.join(', ')}, ${MEASURES.join(', ')}`;

/**
 * Bringing a campaign's days ($1, $2..$3) up to date: the two statements run in one transaction
 * (db/reports/rollups.ts), the delete first. With $1 null, every campaign's days (a rebuild).
 */
export const ROLLUP_DELETE_SQL = `DELETE FROM report_daily WHERE ($1::text IS NULL OR campaign_id = $1) AND day BETWEEN $2::date AND $3::date`;
export const ROLLUP_INSERT_SQL: Record<RollupScope, string> = {
  campaign: `INSERT INTO report_daily (${COLUMNS}) ${rollupSelect('campaign')}`,
  'no-campaign': `INSERT INTO report_daily (${COLUMNS}) ${rollupSelect('no-campaign')}`,
  all: `INSERT INTO report_daily (${COLUMNS}) ${rollupSelect('all')}`,
};

/** The agents whose days $2..$3 a campaign's calls ($1; null: every campaign's) touch. */
const TOUCHED_AGENTS = `
  SELECT DISTINCT a.agent_id FROM call_attempts a
   WHERE ($1::text IS NULL OR a.campaign_id = $1) AND a.purpose = 'sales' AND a.agent_id IS NOT NULL AND ${inWindow('a.started_at')}`;

/** Agent days are recomputed over all of each agent's calls of those days: a day spans campaigns. */
export const AGENT_DAYS_DELETE_SQL = `DELETE FROM report_agent_days WHERE agent_id IN (${TOUCHED_AGENTS}) AND day BETWEEN $2::date AND $3::date`;
// An agent's call a webhook tied to them between the delete and this insert: its day is there already.
export const AGENT_DAYS_INSERT_SQL = `
  INSERT INTO report_agent_days (agent_id, day, team, first_at, last_at, calls)
  SELECT a.agent_id, ${localDay('a.started_at')}, COALESCE(min(ag.team), ''), min(a.started_at), max(COALESCE(a.ended_at, a.started_at)), count(*)::int
    FROM call_attempts a JOIN leads l ON l.id = a.lead_id JOIN regions r ON r.code = l.region LEFT JOIN agents ag ON ag.id = a.agent_id
   WHERE a.purpose = 'sales' AND a.agent_id IN (${TOUCHED_AGENTS}) AND ${inWindow('a.started_at')} AND ${onDays('a.started_at')}
   GROUP BY 1, 2
  ON CONFLICT (agent_id, day) DO UPDATE SET team = EXCLUDED.team, first_at = EXCLUDED.first_at, last_at = EXCLUDED.last_at, calls = EXCLUDED.calls`;
