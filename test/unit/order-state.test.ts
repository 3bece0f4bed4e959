import { describe, expect, it } from 'vitest';
import { ORDER_STAGES, ORDER_STATUSES, canMove, type OrderStage, type OrderStatus } from '../../domain/order/order';
import { OrderMoveRefused, OrderState } from '../../workflows/order/state';

const T0 = new Date('2026-03-01T10:00:00Z');
const order = (logistics = true) => new OrderState('o-1', 'spring', logistics, T0);
/** An order standing at (status, stage), however it got there. */
const at = (status: OrderStatus, stage: OrderStage, logistics = true) => Object.assign(order(logistics), { status, stage });

describe('OrderState: where an order stands', () => {
  it('starts acknowledged, in delivery, waiting to start, one event recorded (by the starter)', () => {
    const s = order();
    expect(s.view()).toMatchObject({ orderId: 'o-1', campaignId: 'spring', status: 'acknowledged', stage: 'delivery', waitingFor: 'start', since: T0.toISOString(), deliveryAttempts: 0 });
    expect(s.events).toBe(1);
  });

  it('waits for something since a time', () => {
    const s = order();
    s.waitFor('the courier', new Date('2026-03-01T11:00:00Z'));
    expect(s.view()).toMatchObject({ waitingFor: 'the courier', since: '2026-03-01T11:00:00.000Z' });
  });

  it('keys a change of what it waits for, recorded without a move, apart from the moves (theirs stay as they were)', () => {
    const s = order();
    expect(s.nextWaitKey()).toBe('1-wait-1');
    expect(s.move('inProgress', 'delivery').eventKey).toBe('2-inProgress-delivery');
    expect(s.nextWaitKey()).toBe('2-wait-2');
    expect(s.move('held', 'delivery').eventKey).toBe('3-held-delivery');
  });

  it('records each move under its own event key; staying in a status is no status change', () => {
    const s = order();
    expect(s.move('inProgress', 'delivery')).toMatchObject({ statusChanged: true, eventKey: '2-inProgress-delivery', deliveryAttempts: 0 });
    s.deliveryAttempts = 1;
    expect(s.move('inProgress', 'delivery')).toMatchObject({ statusChanged: false, eventKey: '3-inProgress-delivery', deliveryAttempts: 1 });
    expect(s.move('inProgress', 'activation', { deliveredAt: 'now' })).toMatchObject({ eventKey: '4-inProgress-activation', facts: { deliveredAt: 'now' } });
    expect(s.move('completed', 'followUp').statusChanged).toBe(true);
    expect(s.move('completed', 'done').eventKey).toBe('6-completed-done');
  });

  it('records why a held order waits with the hold (a failed delivery unless said), and forgets it when the order moves on', () => {
    const s = at('inProgress', 'delivery');
    expect(s.move('held', 'delivery').facts).toEqual({ holdReason: 'delivery-failed' });
    s.holdReason = 'out-of-stock';
    expect(s.move('held', 'delivery', { escalated: true }).facts).toEqual({ holdReason: 'out-of-stock', escalated: true });
    s.move('inProgress', 'delivery');
    expect(s.holdReason).toBeUndefined();
    // Orders from before stock and compensation recorded no hold reason.
    expect(at('inProgress', 'delivery', false).move('held', 'delivery').facts).toBeUndefined();
  });
});

describe('OrderState: only the moves the order life allows (domain/order/order.ts)', () => {
  const open = ORDER_STATUSES.filter((s) => s !== 'failed' && s !== 'cancelled');
  it.each(open.flatMap((from) => ORDER_STATUSES.map((to) => [from, to] as const)))('%s -> %s: allowed exactly when TRANSITIONS says so', (from, to) => {
    const s = at(from, 'delivery');
    const move = () => s.move(to, 'delivery');
    if (from === to || canMove(from, to)) {
      expect(move).not.toThrow();
      expect(s.status).toBe(to);
    } else {
      expect(move).toThrow(OrderMoveRefused);
      expect(s.status).toBe(from); // nothing half-moved
      expect(s.events).toBe(1);
    }
  });

  it('refuses the moves no workflow path may make', () => {
    expect(() => order().move('held', 'delivery')).toThrow(/acknowledged -> held/);
    expect(() => at('held', 'delivery').move('completed', 'followUp')).toThrow(/held -> completed/);
    expect(() => at('completed', 'followUp').move('inProgress', 'followUp')).toThrow(OrderMoveRefused);
  });

  it('never goes back a stage', () => {
    for (const [i, from] of ORDER_STAGES.slice(0, -1).entries()) {
      for (const to of ORDER_STAGES.slice(0, i)) expect(() => at('inProgress', from).move('inProgress', to)).toThrow(/does not go back/);
    }
    expect(() => at('inProgress', 'activation').move('inProgress', 'activation')).not.toThrow();
  });

  it('moves no more once done, not even in the same status', () => {
    for (const status of ['completed', 'failed', 'cancelled'] as const) {
      expect(() => at(status, 'done').move(status, 'done')).toThrow(/closed/);
    }
  });

  it('a return: completed in its follow-up, then cancelled', () => {
    const s = at('completed', 'followUp');
    s.move('completed', 'followUp'); // a compensation step
    expect(s.move('cancelled', 'done')).toMatchObject({ statusChanged: true, eventKey: '3-cancelled-done' });
  });
});

describe('OrderState: bookings and the scheduler', () => {
  it('counts the first report of a booking; the courier repeating itself changes nothing', () => {
    const s = order();
    s.reportArrived({ deliveryId: 'o-1-d1', outcome: 'customer-absent', at: 'a' });
    s.reportArrived({ deliveryId: 'o-1-d1', outcome: 'delivered', at: 'b' });
    expect(s.reports.get('o-1-d1')?.outcome).toBe('customer-absent');
  });

  it('a confirmed booking: the attempt booked, its courier and warehouse, the booking open', () => {
    const s = order();
    s.deliveryAttempts = 2;
    s.warehouse = 'wh-sh';
    s.bookingConfirmed({ deliveryId: 'o-1-d2', courier: 'sf', warehouse: 'wh-bj' });
    expect([s.booked, s.courier, s.warehouse, s.openBooking]).toEqual([2, 'sf', 'wh-bj', 'o-1-d2']);
    s.bookingConfirmed({ deliveryId: 'o-1-d2', courier: 'sf' });
    expect(s.warehouse).toBe('wh-bj');
    const old = order(false);
    old.bookingConfirmed({ deliveryId: 'o-1-d1', courier: 'sf' });
    expect(old.courier).toBeUndefined();
  });

  it("a scheduler's decision: taken as the next booking, the retries start over, an escalation ends", () => {
    const s = at('held', 'delivery');
    s.escalated = true;
    s.retries = { 'customer-absent': 2 };
    s.schedulerRetry = { address: 'No. 5', region: 'bj' };
    expect(s.schedulerDecided()).toBe(true);
    expect([s.next, s.schedulerRetry, s.schedulerAsked, s.retries, s.escalated]).toEqual([{ address: 'No. 5', region: 'bj' }, undefined, true, {}, false]);
    expect(s.schedulerDecided()).toBe(false);
    expect(s.next).toEqual({});
  });

  it('a booking moved at the courier: the change kept for the next booking, the booking closed', () => {
    const s = order();
    s.next = { address: 'No. 5' };
    s.openBooking = 'o-1-d1';
    s.rebooked({ slot: '2026-03-02T09:00:00Z' });
    expect([s.next, s.openBooking, s.schedulerAsked]).toEqual([{ address: 'No. 5', slot: '2026-03-02T09:00:00Z' }, undefined, true]);
  });

  it('answers an update waiting for a booking once it is made, refused, looked at for stock, or the order closed', () => {
    const s = at('held', 'delivery');
    expect(s.bookingSettled(1, 0)).toBe(false);
    s.booked = 1;
    expect(s.bookingSettled(1, 0)).toBe(true);
    expect(s.bookingFailure(1)).toBeUndefined();

    const stock = Object.assign(at('held', 'delivery'), { holdReason: 'out-of-stock' as const, stockChecks: 1 });
    expect(stock.bookingSettled(1, 1)).toBe(false);
    stock.stockChecks = 2;
    expect(stock.bookingSettled(1, 1)).toBe(true);

    const refused = at('held', 'delivery');
    refused.refusals.set(1, 'the courier refused booking o-1-d1: no such street');
    expect(refused.bookingSettled(1, 0)).toBe(true);
    expect(refused.bookingFailure(1)).toEqual({ type: 'BookingRefused', message: "the courier refused booking o-1-d1: no such street; the order is held for a scheduler's decision" });

    const closed = Object.assign(at('failed', 'done'), { ended: true });
    expect(closed.bookingSettled(1, 0)).toBe(true);
    expect(closed.bookingFailure(1)).toEqual({ type: 'OrderClosed', message: 'order failed before the new booking was made' });
    // A cancel is the answer the scheduler gets as the order's view, not as a failure.
    expect(Object.assign(at('cancelled', 'done'), { ended: true }).bookingFailure(1)).toBeUndefined();
  });
});

describe('OrderState: what people see', () => {
  it('shows stock, courier, money and compensation only for orders that have them', () => {
    const s = Object.assign(at('cancelled', 'done'), { courier: 'sf', collected: 300, warehouse: 'wh-sh' });
    s.compensation.push('refund of 300 yuan booked');
    expect(s.view()).toMatchObject({ courier: 'sf', collected: 300, warehouse: 'wh-sh', compensation: ['refund of 300 yuan booked'] });
    expect(s.view()).not.toHaveProperty('followOnOrderId');
    const old = at('completed', 'done', false);
    for (const key of ['holdReason', 'courier', 'collected', 'compensation', 'warehouse']) expect(old.view()).not.toHaveProperty(key);
  });

  it('says in the details how it stands, whether escalated, and the last outcome', () => {
    const s = Object.assign(at('held', 'delivery'), { escalated: true, deliveryAttempts: 2, lastDeliveryOutcome: 'wrong-address' as const });
    s.waitFor("a scheduler's decision", T0);
    expect(s.details()).toBe(
      `**held** · **escalated**: no scheduler decision within the SLA · delivery\n\nWaiting for: a scheduler's decision (since ${T0.toISOString()}).\n\nDelivery attempts: 2, last: wrong-address.`,
    );
  });
});
