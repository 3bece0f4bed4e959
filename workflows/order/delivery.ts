import { ActivityFailure, ApplicationFailure, condition, patched, upsertSearchAttributes } from '@temporalio/workflow';
import { deliveryIdFor } from '../../domain/order/ids';
import { deliveryDecision, type FailedDelivery } from '../../domain/order/order';
import { deliveryStep } from '../../domain/order/policy';
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
  const { orderId, offer, policy, s } = o;
  if (offer?.ships.length && !(await reserveStock(o, offer.ships))) return cancel(o);
  for (;;) {
    if (s.cancelRequest) return cancel(o);
    s.deliveryAttempts++;
    let booking: Awaited<ReturnType<typeof courier.bookDelivery>>;
    try {
      booking = await courier.bookDelivery({
        orderId, attempt: s.deliveryAttempts, ...s.next, ...(offer?.collect ? { collect: offer.collect } : {}),
      });
    } catch (err) {
      // Refused when a scheduler asked for it: the scheduler hears why and decides again. The
      // first, automatic booking refused still fails the order (above, compensated).
      const words = s.schedulerAsked ? courierRefusal(err) : undefined;
      if (words === undefined || !patched(SCHEDULER_REFUSAL_PATCH)) throw err;
      const refused = `the courier refused booking ${deliveryIdFor(orderId, s.deliveryAttempts)}: ${words}`;
      s.refusals.set(s.deliveryAttempts, refused);
      if (!(await holdForScheduler(o, perReason, `${refused}; held for a scheduler`, `a scheduler's decision (${refused})`))) return cancel(o);
      continue;
    }
    s.bookingConfirmed(booking);
    if (perReason) upsertSearchAttributes([{ key: DeliveryAttemptsKey, value: s.deliveryAttempts }]);
    o.wait(`the courier's outcome for booking ${booking.deliveryId} (slot ${booking.slot})`);
    await condition(() => s.reports.has(booking.deliveryId) || s.cancelRequest !== undefined || s.rebook !== undefined);
    let report = s.reports.get(booking.deliveryId);
    if (!report && !s.cancelRequest && s.rebook) {
      // A scheduler moved it (slot or courier): cancelled at the courier, then booked again.
      const request = s.rebook;
      s.rebook = undefined;
      s.moving = true;
      const { cancelled, report: known } = await courier.cancelDelivery({ deliveryId: booking.deliveryId }).finally(() => { s.moving = false; });
      if (cancelled) {
        s.rebooked(request.change);
        await o.moveTo('inProgress', 'delivery', request.change.courier
          ? `booking ${booking.deliveryId} given to courier ${request.change.courier}` : `booking ${booking.deliveryId} moved to ${request.change.slot}`);
        continue;
      }
      s.openBooking = undefined;
      request.refused = 'the courier had already finished this delivery; its outcome decides';
      // Before the patch the webhook's report was waited for, even with the courier's own at hand.
      if (known && !s.reports.has(booking.deliveryId) && patched(REVIEW_FIXES_PATCH)) s.reports.set(booking.deliveryId, known);
      await condition(() => s.reports.has(booking.deliveryId) || s.cancelRequest !== undefined);
      report = s.reports.get(booking.deliveryId);
    }
    s.openBooking = undefined;
    // Before the patch a move that came with the report stayed pending and moved the next booking.
    if (s.rebook && patched(REVIEW_FIXES_PATCH)) {
      // The courier reported in the same moment: nothing left to move.
      s.rebook.refused = 'the courier had already reported on this delivery';
      s.rebook = undefined;
    }
    if (!report) return cancel(o, booking.deliveryId);
    s.lastDeliveryOutcome = report.outcome;
    const step = perReason
      ? deliveryStep(report.outcome, report.outcome === 'delivered' ? 0 : s.retries[report.outcome] ?? 0, policy.delivery, policy.deliveryRetryDelaySeconds)
      : legacyStep(deliveryDecision(report.outcome, s.deliveryAttempts), policy.deliveryRetryDelaySeconds);
    if (step.kind === 'proceed') {
      if (o.logistics) await o.delivered(report);
      await o.moveTo('inProgress', 'activation', `delivered (attempt ${s.deliveryAttempts})${s.collected ? `, ${s.collected} yuan collected` : ''}`, { deliveredAt: report.at });
      return undefined;
    }
    const failed = report.outcome as FailedDelivery;
    if (step.kind === 'retry') {
      s.retries[failed] = (s.retries[failed] ?? 0) + 1;
      o.wait(`the automatic retry in ${step.delaySeconds}s`);
      await o.moveTo('inProgress', 'delivery', `delivery failed (${failed}); automatic retry`);
      await condition(() => s.cancelRequest !== undefined, step.delaySeconds * 1000);
      s.next = {};
      s.schedulerAsked = false;
      continue;
    }
    if (step.kind === 'cancel') {
      s.cancelRequest = { reason: `delivery ${failed}: the policy cancels the order` };
      return cancel(o);
    }
    const why = `delivery failed (${failed}) after ${s.deliveryAttempts} attempts; held for a scheduler`;
    if (!(await holdForScheduler(o, perReason, why, "a scheduler's decision (retry or cancel)"))) return cancel(o);
  }
}

/**
 * Held for a scheduler, under the hold's SLA (escalated, then cancelled). True: the scheduler's
 * decision is taken (in `s.next`); false: it ends in a cancel.
 */
async function holdForScheduler(o: OrderRun, perReason: boolean, why: string, waitingFor: string): Promise<boolean> {
  const { s } = o;
  s.schedulerRetry = undefined;
  o.wait(waitingFor);
  s.holdReason = 'delivery-failed';
  await o.moveTo('held', 'delivery', why);
  const decided = () => s.schedulerRetry !== undefined || s.cancelRequest !== undefined;
  if (perReason) {
    // The hold's SLA: escalated when nobody decides in time, cancelled past the second limit.
    const { escalateAfterSeconds, cancelAfterSeconds } = o.policy.holdSla;
    if (!(await condition(decided, escalateAfterSeconds * 1000))) {
      s.escalated = true;
      upsertSearchAttributes([{ key: EscalatedKey, value: true }]);
      o.wait(`a scheduler's decision, escalated after ${escalateAfterSeconds}s without one`);
      await o.moveTo('held', 'delivery', `no scheduler decision within ${escalateAfterSeconds}s: escalated`, { escalated: true });
      if (!(await condition(decided, (cancelAfterSeconds - escalateAfterSeconds) * 1000))) {
        s.cancelRequest = { reason: `no scheduler decision within ${cancelAfterSeconds}s of the hold` };
      }
    }
  } else {
    await condition(decided);
  }
  if (s.cancelRequest) return false;
  const wasEscalated = s.schedulerDecided();
  if (wasEscalated) upsertSearchAttributes([{ key: EscalatedKey, value: false }]);
  await o.moveTo('inProgress', 'delivery', `scheduler asked for another delivery${s.next.address ? ' to a new address' : ''}`,
    wasEscalated ? { escalated: false } : undefined);
  return true;
}

/** A booking the courier refused for good, in its words; undefined for any other failure. */
function courierRefusal(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  if (!(cause instanceof ApplicationFailure) || cause.type !== 'BookingRejected') return undefined;
  return typeof cause.details?.[0] === 'string' ? cause.details[0] : cause.message;
}
