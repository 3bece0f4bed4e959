import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { HeldDeliveryFilterSchema } from '../../domain/dispatch/held-deliveries';
import { HELD_DELIVERIES_ORDER, heldDeliveriesFrom } from '../../db/dispatch/held-deliveries-sql';
import type { AppDeps } from '../deps';

const HeldDelivery = z.object({
  orderId: z.string(),
  /** None for orders from other channels. */
  campaignId: z.string().nullable(),
  region: z.string(),
  offerCode: z.string(),
  reason: z.string(),
  failedAt: z.string(),
  attempts: z.number(),
  address: z.string(),
  escalatedAt: z.string().nullable(),
});

/**
 * The dispatchers' work queue: orders held for a scheduler after failed deliveries, oldest
 * failure first (escalated ones on top), filtered the way a regional desk works.
 */
export const deliveryRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const { db } = deps;

  app.get('/deliveries', {
    config: { roles: ['scheduler'] },
    schema: {
      tags: ['orders'],
      summary: 'Failed deliveries waiting for a scheduler (held orders), escalated first, then oldest failure first',
      querystring: z.strictObject({
        status: z.enum(['failed']).default('failed'),
        ...HeldDeliveryFilterSchema.shape,
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
      }),
      response: { 200: z.object({ deliveries: z.array(HeldDelivery), total: z.number() }) },
    },
  }, async (request) => {
    const { status: _failed, limit, offset, ...filter } = request.query;
    const { from, p } = heldDeliveriesFrom(filter);
    const countParams = [...p.values];
    const pageSql = `SELECT o.id, o.campaign_id, o.region, o.offer_code, d.outcome, d.outcome_at, o.updated_at, o.delivery_attempts, d.address, o.escalated_at ${from}
          ${HELD_DELIVERIES_ORDER} LIMIT ${p.add(limit, 'int')} OFFSET ${p.add(offset, 'int')}`;
    const [page, total] = await Promise.all([
      db.query<{ id: string; campaign_id: string; region: string; offer_code: string; outcome: string | null; outcome_at: Date | null; updated_at: Date; delivery_attempts: number; address: string; escalated_at: Date | null }>(pageSql, p.values),
      db.query<{ n: string }>(`SELECT count(*) AS n ${from}`, countParams),
    ]);
    return {
      deliveries: page.rows.map((r) => ({
        // a booking the courier refused has no outcome: held all the same, since the refusal
        orderId: r.id, campaignId: r.campaign_id, region: r.region, offerCode: r.offer_code, reason: r.outcome ?? 'booking-refused',
        failedAt: (r.outcome_at ?? r.updated_at).toISOString(), attempts: r.delivery_attempts, address: r.address,
        escalatedAt: r.escalated_at ? r.escalated_at.toISOString() : null,
      })),
      total: Number(total.rows[0]!.n),
    };
  });
};
