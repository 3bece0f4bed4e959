import { z } from 'zod';
import { DIMENSIONS, GROUP_KEYS, PERIODS, type Dimension, type GroupKey } from '../../domain/reports/figures';
import type { ReportQuery } from '../../db/reports/report-sql';
import { HttpError, ruleBroken } from '../errors';
import { TooManyGroups } from '../../db/reports/report-sql';

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const KEY = `(${GROUP_KEYS.join('|')})`;
const filter = (what: string) => z.string().min(1).max(100).optional().describe(`only the rows of this ${what}`);

/** The question every report takes: period, grouping and filters (GET /reports/funnel, /reports/roi). */
export const ReportQuerystring = z.strictObject({
  groupBy: z.string().max(200).regex(new RegExp(`^${KEY}(,${KEY})*$`), `a comma-separated list of ${GROUP_KEYS.join(', ')}`).optional()
    .describe(`What to group by, comma-separated: any of ${DIMENSIONS.join(', ')}, and one of ${PERIODS.join(', ')} (in each region's own time zone; weeks start on Monday). None: one row for everything.`),
  from: z.string().regex(DATE, 'a date, YYYY-MM-DD').optional().describe('First day of the period (local days, inclusive); 29 days before `to` unless given'),
  to: z.string().regex(DATE, 'a date, YYYY-MM-DD').optional().describe('Last day of the period (inclusive); today (UTC) unless given'),
  campaignId: filter('campaign'),
  offer: filter('offer (code)'),
  team: filter('team (code)'),
  agent: filter('agent (id)'),
  region: filter('region (code)'),
  city: filter('city'),
  channel: filter('channel (outbound, api, followup)'),
});
export type ReportQuerystring = z.infer<typeof ReportQuerystring>;

/** The first day a report can cover. */
const FIRST_DAY = '0001-01-01';

/** The longest period one report covers. */
export const MAX_REPORT_DAYS = 1000;

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** A YYYY-MM-DD that names a real day (not 2025-02-30). */
export const isCalendarDay = (s: string) => s >= FIRST_DAY && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && isoDay(Date.parse(`${s}T00:00:00Z`)) === s;

/**
 * A report's period from the querystring's `from` and `to` (local days, inclusive): `to` today
 * unless given, `from` 29 days before it; or a 422 naming the rule it breaks.
 */
export function reportPeriod(q: { from?: string | undefined; to?: string | undefined }, today: string): { from: string; to: string } {
  const checked = (field: 'from' | 'to', value: string) => {
    // Postgres has no year 0 (a `to` early in year 1 put the default `from` before it): a 500 it was.
    if (value < FIRST_DAY) throw ruleBroken(`querystring.${field}`, `${value} is before ${FIRST_DAY}, the first day a report covers`);
    if (!isCalendarDay(value)) throw ruleBroken(`querystring.${field}`, `${value} is not a day of the calendar`);
    return value;
  };
  const to = checked('to', q.to ?? today);
  const from = checked('from', q.from ?? isoDay(Date.parse(`${to}T00:00:00Z`) - 29 * DAY));
  if (from > to) throw ruleBroken('querystring.from', `the period starts (${from}) after it ends (${to})`);
  if ((Date.parse(to) - Date.parse(from)) / DAY >= MAX_REPORT_DAYS) throw ruleBroken('querystring.from', `a report covers at most ${MAX_REPORT_DAYS} days`);
  return { from, to };
}

/** The querystring as a report's question, or a 422 naming the rule it breaks. */
export function toReportQuery(q: ReportQuerystring, now = Date.now()): ReportQuery {
  const { from, to } = reportPeriod(q, isoDay(now));
  const groupBy = (q.groupBy ? q.groupBy.split(',') : []) as GroupKey[];
  if (new Set(groupBy).size !== groupBy.length) throw ruleBroken('querystring.groupBy', 'each key once');
  if (groupBy.filter((k) => (PERIODS as readonly string[]).includes(k)).length > 1) {
    throw ruleBroken('querystring.groupBy', `one period at most (${PERIODS.join(', ')})`);
  }
  const filters: Partial<Record<Dimension, string>> = {};
  for (const dim of DIMENSIONS) {
    const value = dim === 'campaign' ? q.campaignId : q[dim];
    if (value !== undefined) filters[dim] = value;
  }
  return { from, to, groupBy, filters };
}

/** The rules a report's question can break (its 422), for the OpenAPI document. */
export const REPORT_RULES = [
  'from and to are days of the calendar, from not after to, none before 0001-01-01', `at most ${MAX_REPORT_DAYS} days`,
  'each groupBy key once, one period at most', 'at most 50,000 groups',
] as const;

/** Reads a report, a question with too many groups refused (422) with a way to narrow it. */
export async function answerReport<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof TooManyGroups) {
      throw new HttpError(422, 'rule', `querystring.groupBy: ${err.message}; narrow the period or the grouping`, [{ path: 'querystring.groupBy', message: err.message }]);
    }
    throw err;
  }
}
