import type { OrderStage, OrderStatus } from '../../domain/order/order';
import type { Queryable } from '../queryable';

/** What an order waits for from an event on, and since when (the workflow's time of the change). */
export interface Waiting {
  waitingFor: string;
  waitingSince: string;
}

/**
 * Records that what the order waits for changed without a move (an order_events row of kind
 * 'wait'), once per event key, and keeps it on the order's row. False: recorded before (a retry).
 * The workflow records its events one after the other and each once, so the last one recorded is
 * the order's wait now: an attempt that timed out and wrote late finds its row taken by the retry.
 */
export async function recordWait(
  tx: Queryable, e: { orderId: string; status: OrderStatus; stage: OrderStage; reason: string; eventKey: string } & Waiting,
): Promise<boolean> {
  const inserted = await tx.query(
    `INSERT INTO order_events (order_id, status, stage, reason, event_key, kind, waiting_for, waiting_since)
     VALUES ($1, $2, $3, $4, $5, 'wait', $6, $7) ON CONFLICT DO NOTHING`,
    [e.orderId, e.status, e.stage, e.reason, e.eventKey, e.waitingFor, e.waitingSince]);
  if (!inserted.rowCount) return false;
  await keepWaiting(tx, e.orderId, e);
  return true;
}

/** Keeps what the order waits for on its row, for lists that show it without a join. */
export async function keepWaiting(tx: Queryable, orderId: string, w: Waiting): Promise<void> {
  await tx.query('UPDATE orders SET waiting_for = $2, waiting_since = $3 WHERE id = $1', [orderId, w.waitingFor, w.waitingSince]);
}
