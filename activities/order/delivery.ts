import { ApplicationFailure } from '@temporalio/activity';
import { inTransaction, type Db } from '../../infra/db';
import { deliveryIdFor, returnIdFor } from '../../domain/order/ids';
import { describeResponse, getJson, postJson } from '../http-json';
import { followRegion } from '../logistics/stock';

/** The courier's report of a finished booking, as its webhook carries it. */
export interface CourierReport {
  deliveryId: string;
  outcome: 'delivered' | 'customer-absent' | 'wrong-address' | 'refused' | 'courier-lost';
  at: string;
  amountCollected?: number;
}

export interface Booking {
  deliveryId: string;
  slot: string;
  courier: string | null;
  /** After a booking that changed the region: the warehouse the goods are reserved at now (moved or not). */
  warehouse?: string;
}

export interface BookDeliveryInput {
  orderId: string;
  attempt: number;
  /** A new address the scheduler gave, by its id (table address_corrections). */
  addressId?: string;
  /** A new address in clear: bookings asked for before addresses were kept out of Temporal. */
  address?: string;
  /** The region of a new address: the order is routed to that region's courier from now on. */
  region?: string;
  slot?: string;
  /** A courier a scheduler chose instead of the region's. */
  courier?: string;
  /** Money the courier takes at the door. */
  collect?: { method: string; amount: number };
}

/**
 * The courier adapter. A booking is keyed by '<order>-d<attempt>', which is also the courier's
 * idempotency key; the outcome arrives by webhook and is passed to the order workflow as a signal.
 * Each booking goes to the courier of the order's region (table region_logistics) unless a
 * scheduler chose another.
 */
export function createDeliveryActivities(deps: { db: Db; courierUrl: string; publicApiUrl: string }) {
  const { db } = deps;

  /**
   * Books at the courier. What the courier says of a refusal is kept whole with the delivery
   * (deliveries.refusal, in Postgres: shown to schedulers, erased with the customer); the failure
   * that goes to the workflow, and so into Temporal, has the address taken out of it.
   */
  async function book(body: { deliveryId: string; address: string } & Record<string, unknown>): Promise<string | undefined> {
    const res = await postJson(`${deps.courierUrl}/deliveries`, { ...body, callbackUrl: `${deps.publicApiUrl}/webhooks/courier` });
    const withoutAddress = (text: string) => text.split(body.address).join('<the address>');
    if (res.status >= 500 || res.status === 429) throw new Error(withoutAddress(describeResponse('courier', res)));
    if (res.status >= 400) {
      // The courier's own words, for the scheduler who asked for this booking.
      const why = (res.body as { error?: string; message?: string } | undefined)?.message;
      await db.query('UPDATE deliveries SET refusal = $2 WHERE id = $1', [body.deliveryId, why ?? describeResponse('courier', res)]);
      if (why && res.status === 422) {
        const words = withoutAddress(why);
        throw ApplicationFailure.create({ message: `the courier refused the booking: ${words}`, type: 'BookingRejected', nonRetryable: true, details: [words] });
      }
      throw ApplicationFailure.nonRetryable(withoutAddress(describeResponse('courier', res)), 'BookingRejected');
    }
    return (res.body as { slot?: string }).slot;
  }

  return {
    async bookDelivery(input: BookDeliveryInput): Promise<Booking> {
      const deliveryId = deliveryIdFor(input.orderId, input.attempt);
      // The order's new address and region, and its stock reservation following the region, at once.
      const { rows, warehouse } = await inTransaction(db, async (tx) => {
        const r = await tx.query<{ address: string; region: string; courier: string | null; status: string; stage: string }>(
          `WITH o AS (
             UPDATE orders SET address = COALESCE($2, (SELECT a.address FROM address_corrections a WHERE a.id = $6 AND a.order_id = $1), address),
                    region = COALESCE($4, region),
                    delivery_attempts = GREATEST(delivery_attempts, $3), updated_at = now()
              WHERE id = $1 RETURNING id, address, region, status, stage)
           SELECT o.address, o.region, o.status, o.stage, COALESCE($5, rl.courier) AS courier
             FROM o LEFT JOIN region_logistics rl ON rl.region = o.region`,
          [input.orderId, input.address ?? null, input.attempt, input.region ?? null, input.courier ?? null, input.addressId ?? null],
        );
        const o = r.rows[0];
        if (!o || !input.region) return { rows: r.rows, warehouse: undefined };
        const move = await followRegion(tx, input.orderId);
        if (move.moved || move.reason) {
          await tx.query(
            // What the order waits for is unchanged: the order's row says it.
            `INSERT INTO order_events (order_id, status, stage, reason, event_key, waiting_for, waiting_since)
             SELECT $1, $2, $3, $4, $5, waiting_for, waiting_since FROM orders WHERE id = $1 ON CONFLICT DO NOTHING`,
            [input.orderId, o.status, o.stage, move.moved
              ? `stock reservation moved from ${move.from} to ${move.warehouse} (the address is now in region ${o.region})`
              : `stock stays reserved at ${move.warehouse}: ${move.reason}; the goods travel from there`, `${deliveryId}-stock`]);
        }
        return { rows: r.rows, warehouse: move.warehouse };
      });
      const order = rows[0];
      if (!order) throw ApplicationFailure.nonRetryable(`order ${input.orderId} not found`, 'UnknownOrder');
      await db.query('UPDATE orders SET courier = $2 WHERE id = $1', [input.orderId, order.courier]);
      await db.query(
        `INSERT INTO deliveries (id, order_id, attempt, address, slot, courier, collect_amount) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO NOTHING`,
        [deliveryId, input.orderId, input.attempt, order.address, input.slot ?? null, order.courier, input.collect?.amount ?? null],
      );
      const slot = await book({
        deliveryId,
        orderId: input.orderId,
        region: order.region,
        address: order.address,
        ...(order.courier ? { courier: order.courier } : {}),
        ...(input.slot ? { slot: input.slot } : {}),
        ...(input.collect ? { collectAmount: input.collect.amount } : {}),
      }) ?? input.slot ?? new Date().toISOString();
      await db.query('UPDATE deliveries SET slot = $2 WHERE id = $1', [deliveryId, slot]);
      return { deliveryId, slot, courier: order.courier, ...(warehouse ? { warehouse } : {}) };
    },

    /**
     * A cancelled order that was delivered: the courier who delivered it picks the goods up again.
     * Keyed '<order>-return', so a repeat books nothing new.
     */
    async bookReturn(input: { orderId: string }): Promise<Booking> {
      const deliveryId = returnIdFor(input.orderId);
      const { rows: [order] } = await db.query<{ address: string; region: string; courier: string | null }>(
        'SELECT address, region, courier FROM orders WHERE id = $1', [input.orderId]);
      if (!order) throw ApplicationFailure.nonRetryable(`order ${input.orderId} not found`, 'UnknownOrder');
      await db.query(
        `INSERT INTO deliveries (id, order_id, attempt, address, courier, kind)
         SELECT $1, $2, COALESCE(max(attempt), 0) + 1, $3, $4, 'return' FROM deliveries WHERE order_id = $2
         ON CONFLICT (id) DO NOTHING`,
        [deliveryId, input.orderId, order.address, order.courier]);
      const slot = await book({
        deliveryId, orderId: input.orderId, region: order.region, address: order.address, kind: 'return',
        ...(order.courier ? { courier: order.courier } : {}),
      }) ?? new Date().toISOString();
      await db.query('UPDATE deliveries SET slot = $2 WHERE id = $1', [deliveryId, slot]);
      return { deliveryId, slot, courier: order.courier };
    },

    /**
     * Cancels a booking. One the courier already finished cannot be: then the courier's report
     * comes back with the answer (it decides what a cancel has to undo). One the courier never
     * heard of is as good as cancelled. A courier outage is retried.
     */
    async cancelDelivery(input: { deliveryId: string }): Promise<{ cancelled: boolean; report?: CourierReport }> {
      const url = `${deps.courierUrl}/deliveries/${encodeURIComponent(input.deliveryId)}`;
      const res = await postJson(`${url}/cancel`, {});
      if (res.status === 200 || res.status === 404) return { cancelled: true };
      if (res.status !== 409) throw new Error(describeResponse('courier', res));
      const known = await getJson(url);
      if (known.status !== 200) throw new Error(describeResponse('courier', known));
      const report = (known.body as { report?: CourierReport | null }).report;
      return { cancelled: false, ...(report ? { report } : {}) };
    },
  };
}
