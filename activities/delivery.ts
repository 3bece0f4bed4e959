import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../infra/db';
import { deliveryIdFor } from '../domain/ids';
import { describeResponse, postJson } from './http-json';

export interface Booking {
  deliveryId: string;
  slot: string;
}

/**
 * The courier adapter. A booking is keyed by '<order>-d<attempt>', which is also the courier's
 * idempotency key; the outcome arrives by webhook and is passed to the order workflow as a signal.
 */
export function createDeliveryActivities(deps: { db: Db; courierUrl: string; publicApiUrl: string }) {
  const { db } = deps;
  return {
    async bookDelivery(input: { orderId: string; attempt: number; address?: string; slot?: string }): Promise<Booking> {
      const deliveryId = deliveryIdFor(input.orderId, input.attempt);
      const { rows } = await db.query<{ address: string; region: string }>(
        `UPDATE orders SET address = COALESCE($2, address), delivery_attempts = GREATEST(delivery_attempts, $3),
                updated_at = now()
          WHERE id = $1 RETURNING address, region`,
        [input.orderId, input.address ?? null, input.attempt],
      );
      const order = rows[0];
      if (!order) throw ApplicationFailure.nonRetryable(`order ${input.orderId} not found`, 'UnknownOrder');
      await db.query(
        `INSERT INTO deliveries (id, order_id, attempt, address, slot) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO NOTHING`,
        [deliveryId, input.orderId, input.attempt, order.address, input.slot ?? null],
      );
      const res = await postJson(`${deps.courierUrl}/deliveries`, {
        deliveryId,
        orderId: input.orderId,
        region: order.region,
        address: order.address,
        ...(input.slot ? { slot: input.slot } : {}),
        callbackUrl: `${deps.publicApiUrl}/webhooks/courier`,
      });
      if (res.status >= 500 || res.status === 429) throw new Error(describeResponse('courier', res));
      if (res.status >= 400) throw ApplicationFailure.nonRetryable(describeResponse('courier', res), 'BookingRejected');
      const slot = (res.body as { slot?: string }).slot ?? input.slot ?? new Date().toISOString();
      await db.query('UPDATE deliveries SET slot = $2 WHERE id = $1', [deliveryId, slot]);
      return { deliveryId, slot };
    },

    /** Best effort: a booking the courier already finished cannot be cancelled, and that is fine here. */
    async cancelDelivery(input: { deliveryId: string }): Promise<{ cancelled: boolean }> {
      const res = await postJson(`${deps.courierUrl}/deliveries/${encodeURIComponent(input.deliveryId)}/cancel`, {});
      if (res.status >= 500) throw new Error(describeResponse('courier', res));
      return { cancelled: res.status === 200 };
    },
  };
}
