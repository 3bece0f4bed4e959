import type { OrderStage, OrderStatus } from './order';

/**
 * What an order waits for, in words. The order workflow says it (its `order` query's `waitingFor`)
 * and records it with each event it writes (`order_events.waiting_for`, and the latest on
 * `orders.waiting_for`), so lists, reports and GET /orders/:id read it from Postgres and never ask
 * the workflow. Pure and zod-free: the workflow imports it.
 */
export const WAITING = {
  /** Until the workflow's first move (the starter records it with the acknowledgement). */
  start: 'start',
  booking: 'the courier to confirm the booking',
  stockThenBooking: 'the stock reservation, then the courier to confirm the booking',
  newBooking: 'the courier to confirm the new booking',
  schedulerDecision: "a scheduler's decision (retry or cancel)",
  activation: 'the BSS to activate the service (tried again at least once a minute while the BSS is down)',
  compensation: 'compensation',
  done: 'nothing (done)',
  cancelled: 'nothing (cancelled)',
  failed: 'nothing (failed)',
} as const;

/** The follow-up call's delay after activation. */
export const followUpDue = (delaySeconds: number) => `the follow-up call, due in ${delaySeconds}s`;

/** What an order seen as a record only may wait for. */
export interface OrderAsRecorded {
  status: OrderStatus | string;
  stage: OrderStage | string;
  holdReason?: string | null;
  escalated?: boolean;
}

/**
 * What an order waits for, worded from its status and stage alone: for orders whose events were
 * recorded before the workflow's own words were kept (waiting_for null). As near to the workflow's
 * words as the record allows; where the record cannot tell (which booking, how long), it says less.
 */
export function waitingForOf(o: OrderAsRecorded): string {
  if (o.stage === 'done') return o.status === 'cancelled' ? WAITING.cancelled : o.status === 'failed' ? WAITING.failed : WAITING.done;
  if (o.status === 'acknowledged') return WAITING.start;
  if (o.status === 'held') {
    if (o.holdReason === 'out-of-stock') return "stock at the warehouse; or a scheduler's decision";
    return o.escalated ? "a scheduler's decision, escalated without one within the hold's SLA" : WAITING.schedulerDecision;
  }
  if (o.status === 'cancelled' || o.status === 'failed') return `nothing (${o.status})`;
  switch (o.stage) {
    case 'activation': return WAITING.activation;
    case 'followUp': return 'the follow-up call';
    default: return "the delivery: the courier's booking, its outcome or an automatic retry";
  }
}
