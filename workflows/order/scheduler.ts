import { ApplicationFailure, condition } from '@temporalio/workflow';
import { deliveryChangeRefusal, deliveryRetryRefusal, slotRefusal } from '../../domain/order/order';
import type { OrderView, RetryDeliveryRequest } from './messages';
import type { OrderRun } from './run';
import type { BookingChange } from './state';

// A scheduler's say in the delivery: another try of a held order, or a booking moved to another
// slot or courier. Each update answers once the new booking is made, or says why it was not.

/** The answer to an update waiting for booking `attempt`: refused by the courier, or the order closed first. */
function bookingAnswer(o: OrderRun, attempt: number): OrderView {
  const failure = o.state.bookingFailure(attempt);
  if (failure) throw ApplicationFailure.create(failure);
  return o.view();
}

export async function retryDelivery(o: OrderRun, req: RetryDeliveryRequest): Promise<OrderView> {
  o.state.schedulerRetry = req;
  // Answer once the new booking is made, so the scheduler sees the new attempt (or, waiting
  // for stock, once the stock was looked at again).
  const attempt = o.state.deliveryAttempts + 1;
  const checks = o.state.stockChecks;
  await condition(() => o.state.bookingSettled(attempt, checks));
  return bookingAnswer(o, attempt);
}

export function refuseRetry(o: OrderRun, req: RetryDeliveryRequest): void {
  const why = deliveryRetryRefusal(o.state.status, o.state.stage) ?? (o.state.schedulerRetry ? 'a retry is already being booked' : undefined);
  if (why) throw new Error(why);
  const bad = req.slot !== undefined ? slotRefusal(req.slot, Date.now()) : undefined;
  if (bad) throw new Error(bad);
}

/** Reschedule and reassign: a new booking, whether the order is held or a booking is under way. */
export async function changeBooking(o: OrderRun, change: RetryDeliveryRequest): Promise<OrderView> {
  const { state } = o;
  const attempt = state.deliveryAttempts + 1;
  const checks = state.stockChecks;
  const request: BookingChange = { change };
  if (state.status === 'held') state.schedulerRetry = change;
  else state.rebook = request;
  await condition(() => state.bookingSettled(attempt, checks) || request.refused !== undefined);
  if (request.refused) throw ApplicationFailure.create({ message: request.refused, type: 'TooLate' });
  return bookingAnswer(o, attempt);
}

/** Why a reschedule (`what`: 'rescheduling') or reassignment is refused now. */
export function refuseChange(o: OrderRun, what: string): void {
  const { state } = o;
  if (!o.logistics) throw new Error(`this order predates ${what}; a held order can be retried with a new slot or courier`);
  const why = deliveryChangeRefusal(state.status, state.stage, state.openBooking !== undefined && !state.reports.has(state.openBooking))
    ?? (state.schedulerRetry || state.rebook || state.moving ? 'a new booking is already being made' : state.cancelRequest ? 'a cancel is under way' : undefined);
  if (why) throw new Error(why);
}

export function refuseReschedule(o: OrderRun, req: { slot: string }): void {
  refuseChange(o, 'rescheduling');
  const why = slotRefusal(req.slot, Date.now());
  if (why) throw new Error(why);
}
