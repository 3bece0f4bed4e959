import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorText } from '../../domain/compliance/numbers';
import { targetInForce } from '../../domain/reports/hotline';
import { MonthSchema, monthAt } from '../../domain/sales-points/month';
import { text } from '../../domain/text';
import { putShareTarget, readShareTargets } from '../../db/reports/hotline-sql';
import type { AppDeps } from '../deps';
import { ErrorBody } from '../errors';

const Target = z.object({
  from: z.string().describe('the first month (YYYY-MM, the operator\'s) the target holds for, until a later one'),
  share: z.number().describe('marketing calls as a share of the calls handled, 0 to 1 (0.18: 18%)'),
  setBy: z.string(), setAt: z.string(), note: z.string().nullable(),
});

/**
 * The marketing share target of GET /reports/hotline (seed 003: 18%, then 20%): effective from a
 * month until a later one, so a month is judged by the target in force then. Marketing's to set.
 */
export const hotlineTargetRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.get('/hotline/share-targets', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['reports'],
      summary: 'The marketing share targets, the earliest first, and the one in force this month (the operator\'s)',
      response: { 200: z.object({ month: z.string(), inForce: Target.nullable(), targets: z.array(Target) }) },
    },
  }, async () => {
    const targets = await readShareTargets(deps.db);
    const month = monthAt(new Date(), deps.config.OPERATOR_TIME_ZONE);
    return { month, inForce: targetInForce(targets, month) ?? null, targets };
  });

  app.put('/hotline/share-targets/:month', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['reports'],
      summary: 'Set the marketing share target from a month on (until a later one); a repeat changes nothing',
      description: 'Setting a month already reported on changes its verdict (met or not): the audit log keeps who did it.',
      params: z.strictObject({ month: MonthSchema }),
      body: z.strictObject({
        share: z.number().min(0.0001).max(1).describe('marketing calls as a share of the calls handled: 0.2 for 20% (kept to 4 decimals)'),
        note: text(1, 500).optional(),
      }),
      response: { 200: Target, 201: Target, 400: ErrorBody },
    },
  }, async (request, reply) => {
    const { target, created } = await putShareTarget(deps.db, request.params.month, request.body.share, actorText(request.actor!), request.body.note ?? null);
    return reply.status(created ? 201 : 200).send(target);
  });
};
