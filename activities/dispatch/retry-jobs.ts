import { Context } from '@temporalio/activity';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import type { Db } from '../../infra/db';
import { orderWorkflowId } from '../../domain/order/ids';
import type { HeldDeliveryFilter } from '../../domain/dispatch/held-deliveries';
import type { Actor } from '../../domain/access/roles';
import { deliveryRetryRefusal, type OrderStage, type OrderStatus } from '../../domain/order/order';
import { HELD_DELIVERIES_ORDER, heldDeliveriesFrom } from '../../db/dispatch/held-deliveries-sql';
import { retryDeliveryUpdate, type RetryDeliveryRequest } from '../../workflows/order/messages';

/** What one held order answered a bulk retry. */
export type OrderRetryResult =
  /** A new delivery was booked (deliveryAttempts absent: still being booked when the job moved on). */
  | { orderId: string; result: 'accepted'; deliveryAttempts?: number }
  /** The order's workflow said no, with its reason (e.g. "order is already cancelled"). */
  | { orderId: string; result: 'refused'; reason: string }
  /** The order could not be asked (not found). */
  | { orderId: string; result: 'failed'; reason: string };

/** How long one order's retry waits for its new booking before the job moves on (the booking goes on). */
export const DEFAULT_BOOKING_WAIT_SECONDS = 30;

/**
 * A dispatcher's bulk delivery retry: a snapshot of the held orders a filter matches, then the
 * order workflows' own `retryDelivery` update for each, as a scheduler would send it by hand.
 */
export function createDeliveryJobActivities(deps: { db: Db; client: Client }) {
  const { db, client } = deps;

  /** The order's workflow is closed or unknown: its record says which (refused) or that it does not exist (failed). */
  const notAnswered = async (orderId: string): Promise<OrderRetryResult> => {
    const { rows } = await db.query<{ status: OrderStatus; stage: OrderStage }>('SELECT status, stage FROM orders WHERE id = $1', [orderId]);
    const order = rows[0];
    if (!order) return { orderId, result: 'failed', reason: 'order not found' };
    const why = deliveryRetryRefusal(order.status, order.stage);
    if (why) return { orderId, result: 'refused', reason: why };
    return { orderId, result: 'failed', reason: `the order's workflow is gone though its record says ${order.status}` };
  };

  const retryOne = async (updateId: string, orderId: string, request: RetryDeliveryRequest, waitMs: number): Promise<OrderRetryResult> => {
    try {
      // The update id makes a repeated attempt attach to the first one's update instead of booking again.
      const update = await client.workflow.getHandle(orderWorkflowId(orderId)).startUpdate(retryDeliveryUpdate, {
        args: [request], updateId, waitForStage: 'ACCEPTED',
      });
      try {
        const view = await client.withDeadline(Date.now() + waitMs, () => update.result());
        return { orderId, result: 'accepted', deliveryAttempts: view.deliveryAttempts };
      } catch (err) {
        if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return { orderId, result: 'accepted' };
        throw err;
      }
    } catch (err) {
      // A refusal (the validator's reason) is a result like any other, not a failure of the job.
      if (err instanceof WorkflowUpdateFailedError) return { orderId, result: 'refused', reason: (err.cause as Error | undefined)?.message ?? err.message };
      if (err instanceof WorkflowNotFoundError) return notAnswered(orderId);
      throw err;
    }
  };

  return {
    /** The held orders the filter matches now, in the work queue's order: the job's fixed scope. */
    async snapshotHeldOrders(input: { filter: HeldDeliveryFilter; limit: number }): Promise<{ orderIds: string[] }> {
      const { from, p } = heldDeliveriesFrom(input.filter);
      const { rows } = await db.query<{ id: string }>(`SELECT o.id ${from} ${HELD_DELIVERIES_ORDER} LIMIT ${p.add(input.limit, 'int')}`, p.values);
      return { orderIds: rows.map((r) => r.id) };
    },

    /**
     * Asks each order of a batch, all at once, to book another delivery. Idempotent per (job,
     * order) by the update id: a retried attempt gets the first attempt's answers, not new bookings.
     */
    async retryHeldDeliveries(input: {
      jobId: string;
      orderIds: string[];
      slot?: string;
      /** The scheduler who asked for the job, named with each retry. */
      by?: Actor;
      bookingWaitSeconds?: number;
    }): Promise<{ results: OrderRetryResult[] }> {
      const ctx = Context.current();
      const beat = setInterval(() => ctx.heartbeat(), 5_000);
      try {
        const request: RetryDeliveryRequest = { ...(input.slot ? { slot: input.slot } : {}), ...(input.by ? { by: input.by } : {}) };
        const waitMs = (input.bookingWaitSeconds ?? DEFAULT_BOOKING_WAIT_SECONDS) * 1000;
        const results = await Promise.all(input.orderIds.map((orderId) => retryOne(`${input.jobId}-${orderId}`, orderId, request, waitMs)));
        return { results };
      } finally {
        clearInterval(beat);
      }
    },
  };
}
