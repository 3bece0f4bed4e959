import { z } from 'zod';
import { stringify } from 'csv-stringify/sync';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  SALES_COUNTS, SALES_COUNT_NAMES, SALES_DIMENSIONS, SALES_DIMENSION_NAMES, SALES_RATES, SALES_RATE_NAMES,
  addSalesCounts, emptySalesCounts, salesRates, type SalesCounts, type SalesDimension,
} from '../../domain/reports/sales-points';
import { MonthSchema, addMonths, monthAt } from '../../domain/sales-points/month';
import { readSalesReport, type SalesReportQuery } from '../../db/reports/sales-points-sql';
import { observeReport } from '../../infra/metrics/reports';
import type { AppDeps } from '../deps';
import { ErrorBody, rules, ruleBroken } from '../errors';
import { answerReport } from './report-query';
import { wantsCsv } from './funnel';

const KEY = `(${SALES_DIMENSION_NAMES.join('|')})`;
const filter = (dim: SalesDimension) => z.string().min(1).max(100).optional().describe(`only ${SALES_DIMENSIONS[dim]}`);
/** The longest period one report covers, in months. */
const MAX_MONTHS = 60;

export const SalesReportQuerystring = z.strictObject({
  groupBy: z.string().max(200).regex(new RegExp(`^${KEY}(,${KEY})*$`), `a comma-separated list of ${SALES_DIMENSION_NAMES.join(', ')}`).optional()
    .describe(`What to group by, comma-separated: ${SALES_DIMENSION_NAMES.map((d) => `${d} (${SALES_DIMENSIONS[d]})`).join(', ')}. None: one row for everything.`),
  from: MonthSchema.optional().describe('First month (inclusive); `to` unless given'),
  to: MonthSchema.optional().describe('Last month (inclusive); this month (in the operator\'s zone) unless given'),
  staff: filter('staff'), outlet: filter('outlet'), area: filter('area'), department: filter('department'),
  channel: filter('channel'), service: filter('service'),
});

const Counts = z.object(Object.fromEntries(SALES_COUNT_NAMES.map((n) => [n, z.number().describe(SALES_COUNTS[n])])) as Record<keyof typeof SALES_COUNTS, z.ZodNumber>);
const Rates = z.object(Object.fromEntries(SALES_RATE_NAMES.map((r) => [r, z.number().nullable().describe(SALES_RATES[r])])) as Record<keyof typeof SALES_RATES, z.ZodNullable<z.ZodNumber>>);
const Line = z.object({
  group: z.partialRecord(z.enum(SALES_DIMENSION_NAMES as [string, ...string[]]), z.string()).describe('The group\'s keys; empty for the totals'),
  counts: Counts,
  rates: Rates,
});
export const SalesPointsReport = z.object({
  from: z.string(), to: z.string(), groupBy: z.array(z.string()), filters: z.record(z.string(), z.string()), rows: z.array(Line), totals: Line,
});

const line = (group: Partial<Record<SalesDimension, string>>, counts: SalesCounts) => ({ group, counts, rates: salesRates(counts) });

/** The querystring as the report's question, or a 422 naming the rule it breaks. */
export function toSalesReportQuery(q: z.infer<typeof SalesReportQuerystring>, timeZone: string, now = new Date()): SalesReportQuery {
  const to = q.to ?? monthAt(now, timeZone);
  const from = q.from ?? to;
  if (from > to) throw ruleBroken('querystring.from', `the period starts (${from}) after it ends (${to})`);
  if (addMonths(from, MAX_MONTHS) <= to) throw ruleBroken('querystring.from', `a report covers at most ${MAX_MONTHS} months`);
  const groupBy = (q.groupBy ? q.groupBy.split(',') : []) as SalesDimension[];
  if (new Set(groupBy).size !== groupBy.length) throw ruleBroken('querystring.groupBy', 'each key once');
  const filters: Partial<Record<SalesDimension, string>> = {};
  for (const dim of SALES_DIMENSION_NAMES) if (q[dim as keyof typeof q] !== undefined && dim !== 'month') filters[dim] = q[dim as keyof typeof q]!;
  return { from, to, groupBy, filters, timeZone };
}

/** The figures as CSV records: a header, then one record per group. */
export function salesReportRecords(groupBy: readonly SalesDimension[], lines: ReadonlyArray<ReturnType<typeof line>>): Array<Array<string | number>> {
  return [
    [...groupBy, ...SALES_COUNT_NAMES, ...SALES_RATE_NAMES],
    ...lines.map((l) => [...groupBy.map((k) => l.group[k] ?? ''), ...SALES_COUNT_NAMES.map((n) => l.counts[n]), ...SALES_RATE_NAMES.map((r) => l.rates[r] ?? '')]),
  ];
}

/** Sales points' statistics (seed 002): by staff, outlet, area, department, channel, service and month. */
export const salesPointsReportRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.get('/reports/sales-points', {
    config: { roles: ['finance', 'marketing'] },
    schema: {
      tags: ['reports'],
      summary: 'Sales points: sales, billing\'s matches, points by kind, grouped and filtered by month; `Accept: text/csv` for CSV',
      description: 'Sales counts come from the sales recorded and their matches; points from the ledger (closed months never change). '
        + 'Months not reconciled yet show their sales\' provisional points apart.',
      querystring: SalesReportQuerystring,
      response: { 200: SalesPointsReport, 400: ErrorBody, ...rules('from not after to', `at most ${MAX_MONTHS} months`, 'each groupBy key once', 'at most 50,000 groups') },
    },
  }, async (request, reply) => {
    const query = toSalesReportQuery(request.query, deps.config.OPERATOR_TIME_ZONE);
    const csv = wantsCsv(request.headers.accept);
    const report = await observeReport('sales-points', csv ? 'csv' : 'json', async () => {
      const groups = await answerReport(() => readSalesReport(deps.db, query));
      const totals = groups.reduce((sum, g) => addSalesCounts(sum, g.counts), emptySalesCounts());
      return {
        from: query.from, to: query.to, groupBy: query.groupBy, filters: query.filters,
        rows: groups.map((g) => line(g.group, g.counts)), totals: line({}, totals),
      };
    });
    if (csv) {
      return reply.type('text/csv; charset=utf-8').serializer((s: unknown) => s as string).send(stringify(salesReportRecords(query.groupBy, report.rows)) as never);
    }
    return report;
  });
};
