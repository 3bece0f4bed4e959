import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorText } from '../../domain/compliance/numbers';
import { acknowledgeAlert, listAlerts } from '../../db/alerts/alerts-sql';
import type { AppDeps } from '../deps';
import { ErrorBody, notFound } from '../errors';

const AlertView = z.object({
  id: z.number(), kind: z.string(), subject: z.string(), level: z.string(), message: z.string(), raisedAt: z.string(),
  deliveredAt: z.string().nullable().describe('When the configured address took it (sales_points_settings.alert_webhook_url)'),
  deliveryAttempts: z.number(), lastError: z.string().nullable(),
  acknowledgedBy: z.string().nullable(), acknowledgedAt: z.string().nullable(),
});
const Flag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Alerts a person should see: budgets past 80% and 100%, a month nobody approves, … (docs/sales-points.md). */
export const alertRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.get('/alerts', {
    config: { roles: ['finance', 'marketing'] },
    schema: {
      tags: ['sales-points'],
      summary: 'Alerts, newest first: of one kind, and only the unacknowledged ones with open=true',
      querystring: z.strictObject({
        kind: z.string().min(1).max(100).optional().describe("e.g. 'points-budget', 'sales-points-approval'"),
        open: Flag.optional().describe('true: not acknowledged yet; false: acknowledged'),
        limit: z.coerce.number().int().min(1).max(1000).default(200),
      }),
      response: { 200: z.object({ alerts: z.array(AlertView) }), 400: ErrorBody },
    },
  }, async (request) => {
    const { kind, open, limit } = request.query;
    return { alerts: await listAlerts(deps.db, { ...(kind ? { kind } : {}), ...(open !== undefined ? { open } : {}), limit }) };
  });

  app.post('/alerts/:id/acknowledge', {
    config: { roles: ['finance'] },
    schema: {
      tags: ['sales-points'],
      summary: 'Acknowledge an alert (seen, dealt with); a repeat keeps the first acknowledgement',
      params: z.strictObject({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
      response: { 200: AlertView, 400: ErrorBody, 404: ErrorBody },
    },
  }, async (request) => {
    const alert = await acknowledgeAlert(deps.db, request.params.id, actorText(request.actor!));
    if (!alert) throw notFound(`alert ${request.params.id}`);
    return alert;
  });
};
