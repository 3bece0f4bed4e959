import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { GROUP_KEYS } from '../../domain/reports/figures';
import {
  COST_CATEGORY_NAMES, COST_GROUP_NAMES, DEFAULT_REVENUE_MONTHS, addRoiSums, emptyRoiSums, roiFigures,
} from '../../domain/reports/roi';
import { readRoi } from '../../db/reports/roi-sql';
import { refreshForReport } from '../../db/reports/rollups';
import { observeReport } from '../../infra/metrics/reports';
import type { AppDeps } from '../deps';
import { ErrorBody, notFound, rules } from '../errors';
import { REPORT_RULES, ReportQuerystring, answerReport, toReportQuery } from './report-query';

const Figures = z.object({
  costs: z.object(Object.fromEntries(COST_GROUP_NAMES.map((g) => [g, z.number()])) as Record<(typeof COST_GROUP_NAMES)[number], z.ZodNumber>)
    .describe('Cost by category, yuan: agents (agent hours × the team\'s rate), telephony (connected minutes and placed calls), delivery attempts, goods shipped, sales points'),
  totalCost: z.number(),
  revenue: z.object({ activated: z.number(), months: z.number(), gross: z.number(), refunds: z.number(), net: z.number() })
    .describe('Activated orders × the offer\'s monthly price × months, minus refunds'),
  sales: z.number().describe('Orders'),
  costPerSale: z.number().nullable(),
  roi: z.number().nullable().describe('(net revenue − cost) / cost'),
  unpriced: z.partialRecord(z.enum(COST_CATEGORY_NAMES as [string, ...string[]]), z.number())
    .describe('Facts of a category with no rate set for their day (counted at 0): set one with PUT /cost-rates'),
});
const Line = Figures.extend({ group: z.partialRecord(z.enum(GROUP_KEYS as [string, ...string[]]), z.string()) });

/** Finance's and marketing's view of what a campaign cost and brought in. */
export const roiRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.get('/reports/roi', {
    config: { roles: ['finance', 'marketing'] },
    schema: {
      tags: ['reports'],
      summary: 'Cost by category, revenue, cost per sale and ROI, grouped and filtered like the funnel; a campaign\'s cost so far while it runs',
      description: 'With `campaignId` and no `from`, the period starts on the campaign\'s first day. Costs are priced by the rates in force on each fact\'s day (PUT /cost-rates).',
      querystring: ReportQuerystring.extend({
        months: z.coerce.number().int().min(1).max(60).default(DEFAULT_REVENUE_MONTHS).describe('Months of the offer\'s price an activation is worth'),
      }),
      response: {
        200: z.object({
          from: z.string(), to: z.string(), groupBy: z.array(z.string()), filters: z.record(z.string(), z.string()),
          campaign: z.object({ id: z.string(), status: z.string(), running: z.boolean() }).nullable(),
          rows: z.array(Line), totals: Figures,
        }),
        400: ErrorBody, 404: ErrorBody, ...rules(...REPORT_RULES),
      },
    },
  }, async (request) => {
    const { months, ...rest } = request.query;
    let campaign: { id: string; status: string; running: boolean } | null = null;
    let from = rest.from;
    if (rest.campaignId) {
      const { rows: [c] } = await deps.db.query<{ id: string; status: string; first_day: string }>(
        `SELECT id, status, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS first_day FROM campaigns WHERE id = $1`, [rest.campaignId]);
      if (!c) throw notFound(`campaign '${rest.campaignId}'`);
      campaign = { id: c.id, status: c.status, running: c.status === 'running' || c.status === 'paused' };
      // the day before in UTC: the region's own first day may start the evening before
      from ??= new Date(Date.parse(`${c.first_day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    }
    const query = toReportQuery({ ...rest, from });
    const groups = await observeReport('roi', 'json', async () => {
      await refreshForReport(deps.db);
      return answerReport(() => readRoi(deps.db, query, months));
    });
    const totals = roiFigures(groups.reduce((sum, g) => addRoiSums(sum, g.sums), emptyRoiSums()), months);
    return {
      from: query.from, to: query.to, groupBy: query.groupBy, filters: query.filters, campaign,
      rows: groups.map((g) => ({ group: g.group, ...roiFigures(g.sums, months) })), totals,
    };
  });
};
