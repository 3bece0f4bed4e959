import { ApplicationFailure, condition } from '@temporalio/workflow';
import { deliveryChangeRefusal, deliveryRetryRefusal, slotRefusal } from '../../domain/order/order';
import type { OrderView, RetryDeliveryRequest } from './messages';
import type { OrderRun } from './run';
import type { BookingChange } from './state';

// A scheduler's say in the delivery: another try of a held order, or a booking moved to another
// slot or courier. Each update answers once the new booking is made, or says why it was not.

/** The answer to an update waiting for booking `attempt`: refused by the courier, or the order closed first. */
function bookingAnswer(o: OrderRun, attempt: number): OrderView {
  const failure = o.s.bookingFailure(attempt);
  if (failure) throw ApplicationFailure.create(failure);
  return o.view();
}

export async function retryDelivery(o: OrderRun, req: RetryDeliveryRequest): Promise<OrderView> {
  o.s.schedulerRetry = req;
  // Answer once the new booking is made, so the scheduler sees the new attempt (or, waiting
  // for stock, once the stock was looked at again).
  const attempt = o.s.deliveryAttempts + 1;
  const checks = o.s.stockChecks;
  await condition(() => o.s.bookingSettled(attempt, checks));
  return bookingAnswer(o, attempt);
}

export function refuseRetry(o: OrderRun, req: RetryDeliveryRequest): void {
  const why = deliveryRetryRefusal(o.s.status, o.s.stage) ?? (o.s.schedulerRetry ? 'a retry is already being booked' : undefined);
  if (why) throw new Error(why);
  const bad = req.slot !== undefined ? slotRefusal(req.slot, Date.now()) : undefined;
  if (bad) throw new Error(bad);
}

/** Reschedule and reassign: a new booking, whether the order is held or a booking is under way. */
export async function changeBooking(o: OrderRun, change: RetryDeliveryRequest): Promise<OrderView> {
  const { s } = o;
  const attempt = s.deliveryAttempts + 1;
  const checks = s.stockChecks;
  const request: BookingChange = { change };
  if (s.status === 'held') s.schedulerRetry = change;
  else s.rebook = request;
  await condition(() => s.bookingSettled(attempt, checks) || request.refused !== undefined);
  if (request.refused) throw ApplicationFailure.create({ message: request.refused, type: 'TooLate' });
  return bookingAnswer(o, attempt);
}

/** Why a reschedule (`what`: 'rescheduling') or reassignment is refused now. */
export function refuseChange(o: OrderRun, what: string): void {
  const { s } = o;
  if (!o.logistics) throw new Error(`this order predates ${what}; a held order can be retried with a new slot or courier`);
  const why = deliveryChangeRefusal(s.status, s.stage, s.openBooking !== undefined && !s.reports.has(s.openBooking))
    ?? (s.schedulerRetry || s.rebook || s.moving ? 'a new booking is already being made' : s.cancelRequest ? 'a cancel is under way' : undefined);
  if (why) throw new Error(why);
}

export function refuseReschedule(o: OrderRun, req: { slot: string }): void {
  refuseChange(o, 'rescheduling');
  const why = slotRefusal(req.slot, Date.now());
  if (why) throw new Error(why);
}
