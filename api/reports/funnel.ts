import { z } from 'zod';
import { stringify } from 'csv-stringify/sync';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { COUNTS, COUNT_NAMES, GROUP_KEYS, RATES, agentHoursKnown, splitByAgent, type Dimension } from '../../domain/reports/figures';
import { RATE_NAMES, reportRecords, totalOf, withRates } from '../../domain/reports/report';
import { readReport } from '../../db/reports/report-sql';
import { refreshForReport } from '../../db/reports/rollups';
import { observeReport } from '../../infra/metrics/reports';
import type { AppDeps } from '../deps';
import { ErrorBody, rules } from '../errors';
import { REPORT_RULES, ReportQuerystring, answerReport, toReportQuery } from './report-query';

const num = (meaning: string) => z.number().describe(meaning);
const Counts = z.object(Object.fromEntries(COUNT_NAMES.map((n) => [n, num(COUNTS[n])])) as Record<keyof typeof COUNTS, z.ZodNumber>);
const Rates = z.object(Object.fromEntries(RATE_NAMES.map((r) => [r, z.number().nullable().describe(RATES[r])])) as Record<keyof typeof RATES, z.ZodNullable<z.ZodNumber>>);
const Line = z.object({
  group: z.partialRecord(z.enum(GROUP_KEYS as [string, ...string[]]), z.string()).describe('The group\'s keys (campaign id, agent id, the first day of the day/week/month, …); empty for the totals'),
  counts: Counts,
  retention: z.object({ known: z.number(), lost: z.number() })
    .describe('Still active 90 days later, where known: of the activated orders activated 90+ days before today (known), those whose service ended within 90 days (lost)'),
  agentHours: z.number().nullable().describe('Agent hours of the group; null when it is split by something an agent\'s day spans (campaign, offer, region, city, channel)'),
  rates: Rates,
});
export const FunnelReport = z.object({
  from: z.string(), to: z.string(), groupBy: z.array(z.string()), filters: z.record(z.string(), z.string()),
  rows: z.array(Line), totals: Line,
});

/** Marketing's and finance's figures: the funnel and the rates of an outbound operation, grouped and filtered. */
export const reportRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.get('/reports/funnel', {
    config: { roles: ['marketing', 'finance', 'qa'] },
    schema: {
      tags: ['reports'],
      summary: 'The funnel and the rates an outbound operation watches, grouped and filtered; `Accept: text/csv` for CSV',
      description: 'Counts are kept per local day in the rollups (brought up to date before each answer), so a month grouped by '
        + 'agent and day reads a few thousand rows. `Accept: text/csv` answers the same as CSV: a header row, one row per group.',
      querystring: ReportQuerystring,
      response: { 200: FunnelReport, 400: ErrorBody, ...rules(...REPORT_RULES) },
    },
  }, async (request, reply) => {
    const query = toReportQuery(request.query);
    const csv = wantsCsv(request.headers.accept);
    const report = await observeReport('funnel', csv ? 'csv' : 'json', async () => {
      await refreshForReport(deps.db);
      const groups = await answerReport(() => readReport(deps.db, query));
      const filters = Object.keys(query.filters) as Dimension[];
      const byAgent = splitByAgent(query.groupBy, filters);
      const rows = groups.map((g) => withRates(g, byAgent));
      const totals = totalOf(groups, agentHoursKnown(query.groupBy, filters), byAgent);
      return { from: query.from, to: query.to, groupBy: query.groupBy, filters: query.filters, rows, totals };
    });
    if (csv) {
      return reply.type('text/csv; charset=utf-8').serializer((s: unknown) => s as string).send(stringify(reportRecords(query.groupBy, report.rows)) as never);
    }
    return report;
  });
};

/** CSV when the caller prefers it to JSON (an `Accept` naming text/csv first, or alone). */
export function wantsCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  const csv = types.indexOf('text/csv');
  const json = types.indexOf('application/json');
  return csv >= 0 && (json < 0 || csv < json);
}
