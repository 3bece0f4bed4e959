import { ActivityFailure, ApplicationFailure, condition, patched, upsertSearchAttributes } from '@temporalio/workflow';
import { deliveryIdFor } from '../../domain/order/ids';
import { deliveryDecision, type FailedDelivery } from '../../domain/order/order';
import { deliveryStep } from '../../domain/order/policy';
import { WAITING } from '../../domain/order/waiting';
import { describeActor, type Actor } from '../../domain/access/roles';
import { DeliveryAttemptsKey, EscalatedKey } from '../search-attributes';
import { courier } from './activities';
import { cancel, fail } from './compensation';
import { legacyStep } from './legacy';
import { DELIVERY_POLICY_PATCH, REVIEW_FIXES_PATCH, SCHEDULER_REFUSAL_PATCH, type OrderView } from './messages';
import type { OrderRun } from './run';
import { reserveStock } from './stock';

/**
 * Delivery: book, wait for the courier, retry by the policy for the reason, then a person.
 * Undefined: delivered, the order goes on to activation; else the order closed (its view).
 */
export async function deliver(o: OrderRun): Promise<OrderView | undefined> {
  o.wait(o.offer?.ships.length ? WAITING.stockThenBooking : WAITING.booking);
  await o.moveTo('inProgress', 'delivery', 'booking the delivery');
  const perReason = patched(DELIVERY_POLICY_PATCH);
  try {
    return await deliveryLoop(o, perReason);
  } catch (err) {
    // Before the patch a step refused for good failed the workflow itself, nothing undone.
    if (!o.logistics || !(err instanceof ActivityFailure) || !patched(REVIEW_FIXES_PATCH)) throw err;
    // A step refused for good (the courier refused the booking, say): the order fails, undone.
    return fail(o, `delivery failed: ${(err.cause as Error | undefined)?.message ?? err.message}`);
  }
}

/** Reserve, book, wait for the courier, retry or hold: until delivered (undefined) or closed. */
async function deliveryLoop(o: OrderRun, perReason: boolean): Promise<OrderView | undefined> {
  const { orderId, offer, policy, state } = o;
  if (offer?.ships.length && !(await reserveStock(o, offer.ships))) return cancel(o);
  for (;;) {
    if (state.cancelRequest) return cancel(o);
    state.deliveryAttempts++;
    let booking: Awaited<ReturnType<typeof courier.bookDelivery>>;
    try {
      const { by: _who, ...next } = state.next; // who asked is the order's history's, not the courier's
      booking = await courier.bookDelivery({
        orderId, attempt: state.deliveryAttempts, ...next, ...(offer?.collect ? { collect: offer.collect } : {}),
      });
    } catch (err) {
      // Refused when a scheduler asked for it: the scheduler hears why and decides again. The
      // first, automatic booking refused still fails the order (above, compensated).
      const words = state.schedulerAsked ? courierRefusal(err) : undefined;
      if (words === undefined || !patched(SCHEDULER_REFUSAL_PATCH)) throw err;
      const refused = `the courier refused booking ${deliveryIdFor(orderId, state.deliveryAttempts)}: ${words}`;
      state.refusals.set(state.deliveryAttempts, refused);
      if (!(await holdForScheduler(o, perReason, `${refused}; held for a scheduler`, `a scheduler's decision (${refused})`))) return cancel(o);
      continue;
    }
    state.bookingConfirmed(booking);
    if (perReason) upsertSearchAttributes([{ key: DeliveryAttemptsKey, value: state.deliveryAttempts }]);
    await o.waitRecorded(`the courier's outcome for booking ${booking.deliveryId} (slot ${booking.slot})`,
      `booking ${booking.deliveryId} confirmed${booking.courier ? ` by ${booking.courier}` : ''} for ${booking.slot}`);
    await condition(() => state.reports.has(booking.deliveryId) || state.cancelRequest !== undefined || state.rebook !== undefined);
    let report = state.reports.get(booking.deliveryId);
    if (!report && !state.cancelRequest && state.rebook) {
      // A scheduler moved it (slot or courier): cancelled at the courier, then booked again.
      const request = state.rebook;
      state.rebook = undefined;
      state.moving = true;
      const { cancelled, report: known } = await courier.cancelDelivery({ deliveryId: booking.deliveryId }).finally(() => { state.moving = false; });
      if (cancelled) {
        state.rebooked(request.change);
        o.wait(WAITING.newBooking);
        await o.moveTo('inProgress', 'delivery', (request.change.courier
          ? `booking ${booking.deliveryId} given to courier ${request.change.courier}` : `booking ${booking.deliveryId} moved to ${request.change.slot}`) + by(request.change.by));
        continue;
      }
      state.openBooking = undefined;
      request.refused = 'the courier had already finished this delivery; its outcome decides';
      // Before the patch the webhook's report was waited for, even with the courier's own at hand.
      if (known && !state.reports.has(booking.deliveryId) && patched(REVIEW_FIXES_PATCH)) state.reports.set(booking.deliveryId, known);
      await condition(() => state.reports.has(booking.deliveryId) || state.cancelRequest !== undefined);
      report = state.reports.get(booking.deliveryId);
    }
    state.openBooking = undefined;
    // Before the patch a move that came with the report stayed pending and moved the next booking.
    if (state.rebook && patched(REVIEW_FIXES_PATCH)) {
      // The courier reported in the same moment: nothing left to move.
      state.rebook.refused = 'the courier had already reported on this delivery';
      state.rebook = undefined;
    }
    if (!report) return cancel(o, booking.deliveryId);
    state.lastDeliveryOutcome = report.outcome;
    const step = perReason
      ? deliveryStep(report.outcome, report.outcome === 'delivered' ? 0 : state.retries[report.outcome] ?? 0, policy.delivery, policy.deliveryRetryDelaySeconds)
      : legacyStep(deliveryDecision(report.outcome, state.deliveryAttempts), policy.deliveryRetryDelaySeconds);
    if (step.kind === 'proceed') {
      if (o.logistics) await o.delivered(report);
      o.wait(WAITING.activation);
      await o.moveTo('inProgress', 'activation', `delivered (attempt ${state.deliveryAttempts})${state.collected ? `, ${state.collected} yuan collected` : ''}`, { deliveredAt: report.at });
      return undefined;
    }
    const failed = report.outcome as FailedDelivery;
    if (step.kind === 'retry') {
      state.retries[failed] = (state.retries[failed] ?? 0) + 1;
      o.wait(`the automatic retry in ${step.delaySeconds}s`);
      await o.moveTo('inProgress', 'delivery', `delivery failed (${failed}); automatic retry`);
      await condition(() => state.cancelRequest !== undefined, step.delaySeconds * 1000);
      state.next = {};
      state.schedulerAsked = false;
      continue;
    }
    if (step.kind === 'cancel') {
      state.cancelRequest = { reason: `delivery ${failed}: the policy cancels the order` };
      return cancel(o);
    }
    const why = `delivery failed (${failed}) after ${state.deliveryAttempts} attempts; held for a scheduler`;
    if (!(await holdForScheduler(o, perReason, why, WAITING.schedulerDecision))) return cancel(o);
  }
}

/**
 * Held for a scheduler, under the hold's SLA (escalated, then cancelled). True: the scheduler's
 * decision is taken (in `state.next`); false: it ends in a cancel.
 */
async function holdForScheduler(o: OrderRun, perReason: boolean, why: string, waitingFor: string): Promise<boolean> {
  const { state } = o;
  state.schedulerRetry = undefined;
  o.wait(waitingFor);
  state.holdReason = 'delivery-failed';
  await o.moveTo('held', 'delivery', why);
  const decided = () => state.schedulerRetry !== undefined || state.cancelRequest !== undefined;
  if (perReason) {
    // The hold's SLA: escalated when nobody decides in time, cancelled past the second limit.
    const { escalateAfterSeconds, cancelAfterSeconds } = o.policy.holdSla;
    if (!(await condition(decided, escalateAfterSeconds * 1000))) {
      state.escalated = true;
      upsertSearchAttributes([{ key: EscalatedKey, value: true }]);
      o.wait(`a scheduler's decision, escalated after ${escalateAfterSeconds}s without one`);
      await o.moveTo('held', 'delivery', `no scheduler decision within ${escalateAfterSeconds}s: escalated`, { escalated: true });
      if (!(await condition(decided, (cancelAfterSeconds - escalateAfterSeconds) * 1000))) {
        state.cancelRequest = { reason: `no scheduler decision within ${cancelAfterSeconds}s of the hold` };
      }
    }
  } else {
    await condition(decided);
  }
  if (state.cancelRequest) return false;
  const wasEscalated = state.schedulerDecided();
  if (wasEscalated) upsertSearchAttributes([{ key: EscalatedKey, value: false }]);
  o.wait(WAITING.newBooking);
  await o.moveTo('inProgress', 'delivery', `scheduler asked for another delivery${state.next.address || state.next.addressId ? ' to a new address' : ''}${by(state.next.by)}`,
    wasEscalated ? { escalated: false } : undefined);
  return true;
}

/** ", by alice (scheduler)" when the request said who sent it. */
const by = (actor: Actor | undefined) => (actor ? `, by ${describeActor(actor)}` : '');

/** A booking the courier refused for good, in its words; undefined for any other failure. */
function courierRefusal(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  if (!(cause instanceof ApplicationFailure) || cause.type !== 'BookingRejected') return undefined;
  return typeof cause.details?.[0] === 'string' ? cause.details[0] : cause.message;
}
