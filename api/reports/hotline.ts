import { z } from 'zod';
import { stringify } from 'csv-stringify/sync';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { CHANNELS } from '../../domain/hotline/words';
import {
  CHANNEL_SUCCESS_RATE, HOTLINE_CHANNEL_COUNTS, HOTLINE_COUNTS, HOTLINE_COUNT_NAMES, HOTLINE_DIMENSIONS, HOTLINE_DIMENSION_NAMES,
  HOTLINE_GROUP_KEYS, HOTLINE_PERIODS, HOTLINE_PERIOD_NAMES, HOTLINE_RATES, HOTLINE_RATE_NAMES, TARGET_MET,
  addHotlineCounts, emptyHotlineCounts, hotlineLine, hotlineRecords, monthsOf, targetInForce,
  type HotlineDimension, type HotlineGroupKey,
} from '../../domain/reports/hotline';
import { dayAt } from '../../domain/sales-points/month';
import { readHotlineReport, readShareTargets, type HotlineReportQuery } from '../../db/reports/hotline-sql';
import { observeReport } from '../../infra/metrics/reports';
import type { AppDeps } from '../deps';
import { noNul } from '../../domain/text';
import { ErrorBody, rules, ruleBroken } from '../errors';
import { answerReport, reportPeriod } from './report-query';
import { wantsCsv } from './funnel';

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const KEY = `(${HOTLINE_GROUP_KEYS.join('|')})`;
const filter = (dim: HotlineDimension) => noNul(1, 100).optional().describe(`only ${HOTLINE_DIMENSIONS[dim]}`);

export const HotlineReportQuerystring = z.strictObject({
  groupBy: z.string().max(200).regex(new RegExp(`^${KEY}(,${KEY})*$`), `a comma-separated list of ${HOTLINE_GROUP_KEYS.join(', ')}`).optional()
    .describe(`What to group by, comma-separated: any of ${HOTLINE_DIMENSION_NAMES.map((d) => `${d} (${HOTLINE_DIMENSIONS[d]})`).join(', ')}, `
      + `and one of ${HOTLINE_PERIOD_NAMES.map((p) => `${p} (${HOTLINE_PERIODS[p]})`).join(', ')}. None: one row for everything.`),
  from: z.string().regex(DATE, 'a date, YYYY-MM-DD').optional().describe('First day of the period (the operator\'s local days, inclusive); 29 days before `to` unless given'),
  to: z.string().regex(DATE, 'a date, YYYY-MM-DD').optional().describe('Last day of the period (inclusive); today in the operator\'s zone unless given'),
  team: filter('team'),
  agent: filter('agent'),
});

const Counts = z.object(Object.fromEntries(HOTLINE_COUNT_NAMES.map((n) => [n, z.number().describe(HOTLINE_COUNTS[n])])) as Record<keyof typeof HOTLINE_COUNTS, z.ZodNumber>);
const Channel = z.object({
  presented: z.number().describe(HOTLINE_CHANNEL_COUNTS.presented),
  successes: z.number().describe(HOTLINE_CHANNEL_COUNTS.successes),
  successRate: z.number().nullable().describe(CHANNEL_SUCCESS_RATE),
});
const Rates = z.object(Object.fromEntries(HOTLINE_RATE_NAMES.map((r) => [r, z.number().nullable().describe(HOTLINE_RATES[r])])) as Record<keyof typeof HOTLINE_RATES, z.ZodNullable<z.ZodNumber>>);
const Line = z.object({
  group: z.partialRecord(z.enum(HOTLINE_GROUP_KEYS as [string, ...string[]]), z.string()).describe('The group\'s keys; empty for the totals'),
  counts: Counts,
  channels: z.object(Object.fromEntries(CHANNELS.map((ch) => [ch, Channel])) as Record<(typeof CHANNELS)[number], typeof Channel>)
    .describe('Per channel (on the call, IVR, SMS hall, app, web hall): recommendations presented and their successes'),
  rates: Rates,
  targetMet: z.boolean().nullable().describe(TARGET_MET),
});
export const HotlineReport = z.object({
  from: z.string(), to: z.string(), groupBy: z.array(z.string()), filters: z.record(z.string(), z.string()),
  targets: z.array(z.object({ month: z.string(), share: z.number() })).describe('The share target in force in each month of the period'),
  rows: z.array(Line), totals: Line,
});

/** The querystring as the report's question, or a 422 naming the rule it breaks. */
export function toHotlineQuery(q: z.infer<typeof HotlineReportQuerystring>, timeZone: string, now = new Date()): HotlineReportQuery {
  const { from, to } = reportPeriod(q, dayAt(now, timeZone));
  const groupBy = (q.groupBy ? q.groupBy.split(',') : []) as HotlineGroupKey[];
  if (new Set(groupBy).size !== groupBy.length) throw ruleBroken('querystring.groupBy', 'each key once');
  if (groupBy.filter((k) => k in HOTLINE_PERIODS).length > 1) throw ruleBroken('querystring.groupBy', `one period at most (${HOTLINE_PERIOD_NAMES.join(', ')})`);
  const filters: Partial<Record<HotlineDimension, string>> = {};
  for (const dim of HOTLINE_DIMENSION_NAMES) if (q[dim] !== undefined) filters[dim] = q[dim];
  return { from, to, groupBy, filters, timeZone };
}

/** The seed's report (seed 003): marketing share of call volume against its target, per channel successes, handle times. */
export const hotlineReportRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.get('/reports/hotline', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['reports'],
      summary: 'Hotline marketing per agent or team, by day or month: calls handled, marketing share against its target, per channel successes; `Accept: text/csv` for CSV',
      description: 'Every figure counts on the local day (operator\'s zone) its interaction started, a referral completed later included. '
        + 'The share target of a month is the one in force then (GET /hotline/share-targets). `Accept: text/csv`: a header row, one row per group.',
      querystring: HotlineReportQuerystring,
      response: {
        200: HotlineReport, 400: ErrorBody,
        ...rules('from and to are days of the calendar, from not after to', 'at most 1000 days', 'each groupBy key once, one period at most', 'at most 50,000 groups'),
      },
    },
  }, async (request, reply) => {
    const query = toHotlineQuery(request.query, deps.config.OPERATOR_TIME_ZONE);
    const csv = wantsCsv(request.headers.accept);
    const report = await observeReport('hotline', csv ? 'csv' : 'json', async () => {
      const [groups, targets] = await Promise.all([answerReport(() => readHotlineReport(deps.db, query)), readShareTargets(deps.db)]);
      const totals = groups.reduce((sum, g) => addHotlineCounts(sum, g.counts), emptyHotlineCounts());
      return {
        from: query.from, to: query.to, groupBy: query.groupBy, filters: query.filters,
        targets: monthsOf(query.from, query.to).map((month) => ({ month, share: targetInForce(targets, month)?.share ?? 0 })),
        rows: groups.map((g) => hotlineLine(g.group, g.counts)), totals: hotlineLine({}, totals),
      };
    });
    if (csv) {
      return reply.type('text/csv; charset=utf-8').serializer((s: unknown) => s as string).send(stringify(hotlineRecords(query.groupBy, report.rows)) as never);
    }
    return report;
  });
};
