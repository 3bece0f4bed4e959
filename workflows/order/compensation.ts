import { ActivityFailure, ApplicationFailure, condition, patched } from '@temporalio/workflow';
import { cancelRefusal } from '../../domain/order/order';
import { describeActor } from '../../domain/access/roles';
import { WAITING } from '../../domain/order/waiting';
import { courier, returns, stock, undoInBss } from './activities';
import { REVIEW_FIXES_PATCH, type CancelOrderRequest, type OrderFacts, type OrderView } from './messages';
import type { OrderRun } from './run';

/** A booking the courier finished before our cancel reached it: how long to wait for its report. */
const LATE_REPORT_MS = 5 * 60_000;

/**
 * Undoes what the order did, in reverse: the service in the BSS, the goods (a return pickup
 * once delivered, else the reservation released), then the money collected.
 */
export async function compensate(o: OrderRun): Promise<void> {
  const { orderId, state } = o;
  await o.waitRecorded(WAITING.compensation, 'undoing what the order did');
  // Every step is tried even when one is refused; a refused step is recorded for a person.
  const step = async (what: string, run: () => Promise<string | undefined>, facts?: OrderFacts) => {
    try {
      const done = await run();
      if (done) await o.compensated(done, facts);
    } catch (err) {
      // Before the patch a refused step ended the workflow there (failed, the rest not undone).
      if (!(err instanceof ActivityFailure) || !patched(REVIEW_FIXES_PATCH)) throw err;
      await o.compensated(`${what} refused (${(err.cause as Error | undefined)?.message ?? err.message}); needs a person`);
    }
  };
  const activationId = state.activationId;
  if (activationId) {
    // The record of it takes the offer's service off the customer's (activities/order/orders.ts):
    // facts of the event only, the same commands, so histories from before replay unchanged.
    await step('deactivation', async () => {
      await undoInBss.deactivateService({ orderId, activationId });
      return `service ${activationId} deactivated in the BSS`;
    }, { deactivated: true });
  }
  if (state.delivered) {
    await step('return pickup', async () => {
      const pickup = await returns.bookReturn({ orderId });
      return `return pickup booked with ${pickup.courier ?? 'the courier'} (${pickup.deliveryId})`;
    });
  } else {
    await step('stock release', async () => {
      const { released } = await stock.releaseStock({ orderId });
      return released ? `stock reservation released at ${state.warehouse ?? 'the warehouse'}` : undefined;
    });
  }
  if (state.collected > 0) {
    await step('refund', async () => {
      const { amount } = await stock.bookRefund({ orderId });
      return amount > 0 ? `refund of ${amount} yuan booked` : undefined;
    });
  }
}

/** Cancels the order (its booking `bookingId` at the courier first, if one is under way), undone, closed. */
export async function cancel(o: OrderRun, bookingId?: string): Promise<OrderView> {
  const { state } = o;
  if (bookingId) {
    const { cancelled, report: known } = await courier.cancelDelivery({ deliveryId: bookingId });
    if (o.logistics && !cancelled) {
      // The courier had finished it: its report (from the courier, or the webhook) tells what to undo.
      // Before the patch only the webhook's was waited for.
      const ownReport = patched(REVIEW_FIXES_PATCH);
      if (!ownReport || (!known && !state.reports.has(bookingId))) await condition(() => state.reports.has(bookingId), LATE_REPORT_MS);
      const late = state.reports.get(bookingId) ?? (ownReport ? known : undefined);
      if (late?.outcome === 'delivered') await o.delivered(late);
    }
  }
  if (o.logistics) await compensate(o);
  o.wait(WAITING.cancelled);
  const by = state.cancelRequest?.by ? ` (by ${describeActor(state.cancelRequest.by)})` : '';
  await o.moveTo('cancelled', 'done', `cancelled: ${state.cancelRequest?.reason ?? 'no reason given'}${by}`);
  return o.close();
}

/** The order failed: what it did is undone (orders that compensate), and it closes. */
export async function fail(o: OrderRun, why: string): Promise<OrderView> {
  if (o.logistics) await compensate(o);
  o.wait(WAITING.failed);
  await o.moveTo('failed', 'done', why);
  return o.close();
}

/** The cancel update: answers once the order is cancelled, or refuses when it closed otherwise first. */
export async function cancelRequested(o: OrderRun, req: CancelOrderRequest): Promise<OrderView> {
  const { state } = o;
  state.cancelRequest = req;
  await condition(() => state.status === 'cancelled' || state.stage === 'done' || (!o.logistics && state.stage !== 'delivery'));
  // Without returns, a delivery report landing in the same moment as the cancel wins.
  if (state.status !== 'cancelled') {
    throw ApplicationFailure.create({
      message: o.logistics ? `order ${state.status} before the cancel took effect` : 'order was delivered before the cancel took effect', type: 'TooLate',
    });
  }
  return o.view();
}

export function refuseCancel(o: OrderRun): void {
  const why = cancelRefusal(o.state.status, o.state.stage, { returns: o.logistics }) ?? (o.state.cancelRequest ? 'a cancel is already under way' : undefined);
  if (why) throw new Error(why);
}
