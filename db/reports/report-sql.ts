import type { Queryable } from '../queryable';
import {
  COUNT_NAMES, RETENTION_DAYS, agentHoursKnown, type CountName, type Counts, type Dimension, type GroupKey,
} from '../../domain/reports/figures';

/** A report's question: the period (local days, inclusive), what to group by and filter on. */
export interface ReportQuery {
  from: string;
  to: string;
  groupBy: GroupKey[];
  filters: Partial<Record<Dimension, string>>;
}

export interface ReportRow {
  group: Partial<Record<GroupKey, string>>;
  counts: Counts;
  /** Null when the grouping cannot say (domain/reports/figures.ts agentHoursKnown). */
  agentHours: number | null;
  retention: { known: number; lost: number };
}

/** Each group key as a column of report_daily (or of any row with its key columns), and, for the agent hours, of report_agent_days. */
export const DAILY_KEY: Record<GroupKey, string> = {
  campaign: 'campaign_id', offer: 'offer', team: 'team', agent: 'agent_id', region: 'region', city: 'city', channel: 'channel',
  day: `to_char(day, 'YYYY-MM-DD')`, week: `to_char(date_trunc('week', day), 'YYYY-MM-DD')`,
  month: `to_char(date_trunc('month', day), 'YYYY-MM-DD')`,
};
const AGENT_DAY_KEY: Partial<Record<GroupKey, string>> = {
  agent: 'ad.agent_id', team: 'ad.team',
  day: `to_char(ad.day, 'YYYY-MM-DD')`, week: `to_char(date_trunc('week', ad.day), 'YYYY-MM-DD')`,
  month: `to_char(date_trunc('month', ad.day), 'YYYY-MM-DD')`,
};

/** report_daily's column of each count (domain names in camelCase, columns as the rollup has them). */
const COLUMN: Record<CountName, string> = {
  listed: 'listed', dialed: 'dialed', connected: 'connected', accepted: 'accepted', ordered: 'ordered', delivered: 'delivered',
  activated: 'activated', followedUp: 'followed_up', calls: 'calls', connectedCalls: 'connected_calls', talkSeconds: 'talk_sec',
  abandoned: 'abandoned', firstDeliveries: 'first_deliveries', firstTimeDelivered: 'first_time_delivered',
  activationDays: 'activation_days', satisfactionSum: 'satisfaction_sum', satisfactionAnswers: 'satisfaction_n',
  complaints: 'complaints', lost90: 'lost_90',
};

/** The most groups one report answers; a wider question is refused with a way to narrow it. */
export const MAX_GROUPS = 50_000;

export class TooManyGroups extends Error {}

/** The report's SQL and its parameters ($1 and $2 the period, then one per filter). */
export function reportSql(q: ReportQuery): { sql: string; params: unknown[]; withHours: boolean } {
  const params: unknown[] = [q.from, q.to];
  const dailyWhere = ['day BETWEEN $1::date AND $2::date'];
  const hoursWhere = ['ad.day BETWEEN $1::date AND $2::date'];
  for (const [dim, value] of Object.entries(q.filters) as Array<[Dimension, string]>) {
    params.push(value);
    dailyWhere.push(`${DAILY_KEY[dim]} = $${params.length}`);
    if (AGENT_DAY_KEY[dim]) hoursWhere.push(`${AGENT_DAY_KEY[dim]} = $${params.length}`);
  }
  const keys = q.groupBy.map((k, i) => ({ alias: `k${i}`, daily: DAILY_KEY[k], hours: AGENT_DAY_KEY[k] }));
  const groupList = (side: 'daily' | 'hours') => (keys.length ? `GROUP BY ${keys.map((k) => k[side]).join(', ')}` : '');
  const withHours = agentHoursKnown(q.groupBy, Object.keys(q.filters) as Dimension[]);
  const known = `day <= current_date - ${RETENTION_DAYS}`;
  const base = `SELECT ${[...keys.map((k) => `${k.daily} AS ${k.alias}`),
    ...COUNT_NAMES.map((n) => `sum(${COLUMN[n]}) AS "${n}"`),
    `sum(activated) FILTER (WHERE ${known}) AS retention_known`, `sum(lost_90) FILTER (WHERE ${known}) AS retention_lost`].join(', ')}
    FROM report_daily WHERE ${dailyWhere.join(' AND ')} ${groupList('daily')}`;
  if (!withHours) return { sql: `${base} ORDER BY ${orderBy(keys.length)} LIMIT ${MAX_GROUPS + 1}`, params, withHours };
  const hours = `SELECT ${[...keys.map((k) => `${k.hours} AS ${k.alias}`),
    'sum(extract(epoch FROM ad.last_at - ad.first_at)) / 3600 AS agent_hours'].join(', ')}
    FROM report_agent_days ad WHERE ${hoursWhere.join(' AND ')} ${groupList('hours')}`;
  const join = keys.length ? `LEFT JOIN (${hours}) h USING (${keys.map((k) => k.alias).join(', ')})` : `CROSS JOIN (${hours}) h`;
  return { sql: `SELECT b.*, h.agent_hours FROM (${base}) b ${join} ORDER BY ${orderBy(keys.length)} LIMIT ${MAX_GROUPS + 1}`, params, withHours };
}

const orderBy = (n: number) => (n ? Array.from({ length: n }, (_, i) => `k${i}`).join(', ') : '1');

/** Runs a report over the rollups (the caller brings them up to date first: db/reports/rollups.ts). */
export async function readReport(db: Queryable, q: ReportQuery): Promise<ReportRow[]> {
  const { sql, params, withHours } = reportSql(q);
  const { rows } = await db.query<Record<string, string | null>>(sql, params);
  if (rows.length > MAX_GROUPS) throw new TooManyGroups(`more than ${MAX_GROUPS} groups`);
  return rows
    // A report with no grouping over a period with no rows has one row of nulls: no figures, no row.
    .filter((r) => keysOf(q, r).length || r.listed !== null)
    .map((r) => ({
      group: Object.fromEntries(q.groupBy.map((k, i) => [k, r[`k${i}`] ?? ''])),
      counts: Object.fromEntries(COUNT_NAMES.map((n) => [n, Number(r[n] ?? 0)])) as Counts,
      agentHours: withHours ? Number(r.agent_hours ?? 0) : null,
      retention: { known: Number(r.retention_known ?? 0), lost: Number(r.retention_lost ?? 0) },
    }));
}

const keysOf = (q: ReportQuery, r: Record<string, unknown>) => q.groupBy.filter((_, i) => r[`k${i}`] !== undefined);
