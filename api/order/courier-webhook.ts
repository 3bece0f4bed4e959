import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { WorkflowNotFoundError } from '@temporalio/client';
import { DELIVERY_OUTCOMES } from '../../domain/order/order';
import { orderWorkflowId } from '../../domain/order/ids';
import { deliveryReportSignal } from '../../workflows/order/messages';
import type { AppDeps } from '../deps';
import { notFound } from '../errors';
import { handOver, WEBHOOK_ERRORS, WEBHOOK_SECURITY, WebhookAck } from '../webhooks';
import { recordFirstReport } from '../../db/first-report-sql';
import { IsoDateTimeSchema } from '../../domain/datetime';

const CourierOutcome = z.object({
  deliveryId: z.string().min(1).max(200),
  orderId: z.string().min(1).max(200),
  outcome: z.enum(DELIVERY_OUTCOMES),
  at: IsoDateTimeSchema,
  amountCollected: z.number().min(0).max(1_000_000).optional(),
});

const RECORD_OUTCOME = recordFirstReport({
  table: 'deliveries',
  set: { outcome: '$2', outcome_at: '$3', amount_collected: '$4' },
  where: 'id = $1 AND order_id = $5',
  returning: 'order_id, outcome, outcome_at, amount_collected',
  decidedBy: 'outcome',
});

/**
 * The courier's outcome of a delivery. Recorded first (the first report wins, so a repeated or
 * late webhook changes nothing), then handed to the waiting order.
 */
export const courierWebhookRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const { db, client } = deps;

  app.post('/webhooks/courier', {
    config: { signedBy: 'courier' },
    schema: {
      tags: ['webhooks'], summary: 'A delivery ended (courier → us)', security: WEBHOOK_SECURITY,
      body: CourierOutcome, response: { 200: WebhookAck, ...WEBHOOK_ERRORS },
    },
  }, async (request) => {
    const o = request.body;
    const { rows } = await db.query<{ order_id: string; outcome: string; outcome_at: Date; amount_collected: string | null; first: boolean }>(
      RECORD_OUTCOME,
      [o.deliveryId, o.outcome, o.at, o.amountCollected ?? null, o.orderId],
    );
    const row = rows[0];
    if (!row) throw notFound(`delivery '${o.deliveryId}' of order '${o.orderId}'`);
    return handOver(row.first, () => client.workflow.getHandle(orderWorkflowId(row.order_id)).signal(deliveryReportSignal, {
      deliveryId: o.deliveryId,
      outcome: row.outcome as (typeof DELIVERY_OUTCOMES)[number],
      at: row.outcome_at.toISOString(),
      ...(row.amount_collected != null ? { amountCollected: Number(row.amount_collected) } : {}),
    }), (err) => err instanceof WorkflowNotFoundError); // the order is closed
  });
};
