import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DELIVERY_OUTCOMES } from '../domain/order';
import type { AppDeps } from './app';

const FAILED = DELIVERY_OUTCOMES.filter((o) => o !== 'delivered') as [string, ...string[]];
const UNIT_SECONDS = { m: 60, h: 3_600, d: 86_400 } as const;

const HeldDelivery = z.object({
  orderId: z.string(),
  campaignId: z.string(),
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
    schema: {
      tags: ['orders'],
      summary: 'Failed deliveries waiting for a scheduler (held orders), escalated first, then oldest failure first',
      querystring: z.strictObject({
        status: z.enum(['failed']).default('failed'),
        region: z.string().regex(/^[a-z]{2,8}$/).optional(),
        reason: z.enum(FAILED).optional(),
        /** Failed at least this long ago: minutes, hours or days, e.g. 30m, 4h, 2d. */
        olderThan: z.string().regex(/^\d{1,5}[mhd]$/, 'a number and m, h or d, e.g. 4h').optional(),
        escalated: z.enum(['true', 'false']).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
      }),
      response: { 200: z.object({ deliveries: z.array(HeldDelivery), total: z.number() }) },
    },
  }, async (request) => {
    const q = request.query;
    const olderThanSeconds = q.olderThan ? Number(q.olderThan.slice(0, -1)) * UNIT_SECONDS[q.olderThan.at(-1) as keyof typeof UNIT_SECONDS] : null;
    const from = `FROM orders o
      JOIN LATERAL (SELECT d.outcome, d.outcome_at, d.address FROM deliveries d WHERE d.order_id = o.id ORDER BY d.attempt DESC LIMIT 1) d ON true
     WHERE o.status = 'held'
       AND ($1::text IS NULL OR o.region = $1) AND ($2::text IS NULL OR d.outcome = $2)
       AND ($3::int IS NULL OR d.outcome_at <= now() - make_interval(secs => $3))
       AND ($4::boolean IS NULL OR (o.escalated_at IS NOT NULL) = $4)`;
    const params = [q.region ?? null, q.reason ?? null, olderThanSeconds, q.escalated === undefined ? null : q.escalated === 'true'];
    const [page, total] = await Promise.all([
      db.query<{ id: string; campaign_id: string; region: string; offer_code: string; outcome: string; outcome_at: Date; delivery_attempts: number; address: string; escalated_at: Date | null }>(
        `SELECT o.id, o.campaign_id, o.region, o.offer_code, d.outcome, d.outcome_at, o.delivery_attempts, d.address, o.escalated_at ${from}
          ORDER BY o.escalated_at IS NULL, d.outcome_at, o.id LIMIT $5 OFFSET $6`, [...params, q.limit, q.offset]),
      db.query<{ n: string }>(`SELECT count(*) AS n ${from}`, params),
    ]);
    return {
      deliveries: page.rows.map((r) => ({
        orderId: r.id, campaignId: r.campaign_id, region: r.region, offerCode: r.offer_code, reason: r.outcome,
        failedAt: r.outcome_at.toISOString(), attempts: r.delivery_attempts, address: r.address,
        escalatedAt: r.escalated_at ? r.escalated_at.toISOString() : null,
      })),
      total: Number(total.rows[0]!.n),
    };
  });
};
