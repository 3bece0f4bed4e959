import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { WorkflowNotFoundError } from '@temporalio/client';
import { DELIVERY_OUTCOMES } from '../../domain/order/order';
import { orderWorkflowId } from '../../domain/order/ids';
import { deliveryReportSignal } from '../../workflows/order/messages';
import type { AppDeps } from '../deps';
import { notFound } from '../errors';

const CourierOutcome = z.object({
  deliveryId: z.string().min(1).max(200),
  orderId: z.string().min(1).max(200),
  outcome: z.enum(DELIVERY_OUTCOMES),
  at: z.iso.datetime({ offset: true }),
  amountCollected: z.number().min(0).max(1_000_000).optional(),
});

const Ack = z.object({ ok: z.boolean(), duplicate: z.boolean() });

/**
 * The courier's outcome of a delivery. Recorded first (the first report wins, so a repeated or
 * late webhook changes nothing), then handed to the waiting order.
 */
export const courierWebhookRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const { db, client } = deps;

  app.post('/webhooks/courier', {
    schema: { tags: ['webhooks'], summary: 'A delivery ended (courier → us)', body: CourierOutcome, response: { 200: Ack } },
  }, async (request) => {
    const o = request.body;
    const { rows } = await db.query<{ order_id: string; outcome: string; outcome_at: Date; amount_collected: string | null; first: boolean }>(
      `UPDATE deliveries SET outcome = COALESCE(outcome, $2), outcome_at = COALESCE(outcome_at, $3),
              amount_collected = COALESCE(amount_collected, $4)
        WHERE id = $1 AND order_id = $5
        RETURNING order_id, outcome, outcome_at, amount_collected,
                  (SELECT outcome IS NULL FROM deliveries WHERE id = $1) AS first`,
      [o.deliveryId, o.outcome, o.at, o.amountCollected ?? null, o.orderId],
    );
    const row = rows[0];
    if (!row) throw notFound(`delivery '${o.deliveryId}' of order '${o.orderId}'`);
    try {
      await client.workflow.getHandle(orderWorkflowId(row.order_id)).signal(deliveryReportSignal, {
        deliveryId: o.deliveryId,
        outcome: row.outcome as (typeof DELIVERY_OUTCOMES)[number],
        at: row.outcome_at.toISOString(),
        ...(row.amount_collected != null ? { amountCollected: Number(row.amount_collected) } : {}),
      });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { ok: true, duplicate: true }; // the order is closed
      throw err;
    }
    return { ok: true, duplicate: !row.first };
  });
};
