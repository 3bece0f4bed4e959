import { describe, expect, it } from 'vitest';
import { ORDER_STAGES, ORDER_STATUSES } from '../../domain/order/order';
import { WAITING, followUpDue, waitingForOf } from '../../domain/order/waiting';

describe('waitingForOf: what an order recorded before the words were kept waits for', () => {
  it("says what the workflow says where status and stage tell it", () => {
    expect(waitingForOf({ status: 'acknowledged', stage: 'delivery' })).toBe(WAITING.start);
    expect(waitingForOf({ status: 'held', stage: 'delivery', holdReason: 'delivery-failed' })).toBe(WAITING.schedulerDecision);
    expect(waitingForOf({ status: 'held', stage: 'delivery', holdReason: null })).toBe(WAITING.schedulerDecision);
    expect(waitingForOf({ status: 'inProgress', stage: 'activation' })).toBe(WAITING.activation);
    expect(waitingForOf({ status: 'completed', stage: 'done' })).toBe(WAITING.done);
    expect(waitingForOf({ status: 'cancelled', stage: 'done' })).toBe(WAITING.cancelled);
    expect(waitingForOf({ status: 'failed', stage: 'done' })).toBe(WAITING.failed);
  });

  it('says less where the record cannot tell (which booking, which stock, how long)', () => {
    expect(waitingForOf({ status: 'held', stage: 'delivery', holdReason: 'out-of-stock' })).toMatch(/^stock at the warehouse; or a scheduler's decision$/);
    expect(waitingForOf({ status: 'held', stage: 'delivery', holdReason: 'delivery-failed', escalated: true })).toMatch(/^a scheduler's decision, escalated/);
    expect(waitingForOf({ status: 'inProgress', stage: 'delivery' })).toMatch(/^the delivery: /);
    expect(waitingForOf({ status: 'completed', stage: 'followUp' })).toBe('the follow-up call');
    expect(followUpDue(600)).toBe('the follow-up call, due in 600s');
  });

  it('words every status and stage, and anything else a row may hold', () => {
    for (const status of ORDER_STATUSES) for (const stage of ORDER_STAGES) expect(waitingForOf({ status, stage })).toMatch(/\S/);
    expect(waitingForOf({ status: 'unknown', stage: 'elsewhere' })).toMatch(/\S/);
  });
});
