import { describe, expect, it } from 'vitest';
import {
  ORDER_STATUSES, canMove, cancelRefusal, deliveryDecision, deliveryRetryRefusal, isTerminal,
} from '../../domain/order';

describe('order states (TMF622)', () => {
  it('has exactly three terminal states, which go nowhere', () => {
    expect(ORDER_STATUSES.filter(isTerminal)).toEqual(['completed', 'failed', 'cancelled']);
    for (const to of ORDER_STATUSES) expect(canMove('completed', to)).toBe(false);
  });

  it('allows held only from inProgress and back', () => {
    expect(canMove('inProgress', 'held')).toBe(true);
    expect(canMove('held', 'inProgress')).toBe(true);
    expect(canMove('acknowledged', 'held')).toBe(false);
    expect(canMove('held', 'completed')).toBe(false);
  });
});

describe('deliveryDecision', () => {
  it('proceeds when delivered, retries the first failure, then holds for a scheduler', () => {
    expect(deliveryDecision('delivered', 1)).toBe('proceed');
    expect(deliveryDecision('delivered', 3)).toBe('proceed');
    expect(deliveryDecision('customer-absent', 1)).toBe('retry');
    expect(deliveryDecision('customer-absent', 2)).toBe('hold');
    expect(deliveryDecision('refused', 5)).toBe('hold');
  });
});

describe("schedulers' refusals", () => {
  it('cancels only before delivery and never twice', () => {
    expect(cancelRefusal('held', 'delivery')).toBeUndefined();
    expect(cancelRefusal('inProgress', 'delivery')).toBeUndefined();
    expect(cancelRefusal('completed', 'followUp')).toBe('order is already completed');
    expect(cancelRefusal('inProgress', 'activation')).toMatch(/past delivery/);
  });

  it('retries a delivery only for a held order', () => {
    expect(deliveryRetryRefusal('held', 'delivery')).toBeUndefined();
    expect(deliveryRetryRefusal('inProgress', 'delivery')).toMatch(/not waiting/);
    expect(deliveryRetryRefusal('inProgress', 'activation')).toBe('order already delivered');
    expect(deliveryRetryRefusal('cancelled', 'done')).toBe('order is already cancelled');
  });
});
