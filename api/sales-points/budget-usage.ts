import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { MonthSchema, monthAt } from '../../domain/sales-points/month';
import { budgetUsage } from '../../db/sales-points/budget-watch-sql';
import type { AppDeps } from '../deps';
import { ErrorBody } from '../errors';

const Usage = z.object({
  month: z.string(), scopeKind: z.enum(['area', 'department']), scopeCode: z.string(), budget: z.number(), overrunPolicy: z.string(),
  provisional: z.number().describe('Points accrued provisionally: activated orders and sales staff recorded, at the points in force on the day of the sale'),
  sales: z.number(), share: z.number().describe('provisional / budget (1 = the whole budget)'),
});

/** Each points budget of a month against its provisional points: what the 80% and 100% alerts read. */
export const budgetUsageRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.get('/sales-points/budgets/usage', {
    config: { roles: ['finance', 'marketing'] },
    schema: {
      tags: ['sales-points'],
      summary: "A month's points budgets (this month unless given) with the points accrued provisionally so far",
      querystring: z.strictObject({ month: MonthSchema.optional() }),
      response: { 200: z.object({ month: z.string(), budgets: z.array(Usage) }), 400: ErrorBody },
    },
  }, async (request) => {
    const month = request.query.month ?? monthAt(new Date(), deps.config.OPERATOR_TIME_ZONE);
    return { month, budgets: await budgetUsage(deps.db, month, deps.config.OPERATOR_TIME_ZONE) };
  });
};
