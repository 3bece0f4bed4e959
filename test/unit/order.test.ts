import { describe, expect, it } from 'vitest';
import {
  DeliveryPolicySchema, HoldSlaSchema, ORDER_STATUSES, canMove, cancelRefusal, deliveryDecision, deliveryRetryRefusal, deliveryStep, isTerminal,
} from '../../domain/order';

describe('order states (TMF622)', () => {
  it('has two terminal states, which go nowhere; completed goes only to cancelled (a return)', () => {
    expect(ORDER_STATUSES.filter(isTerminal)).toEqual(['failed', 'cancelled']);
    for (const from of ['failed', 'cancelled'] as const) for (const to of ORDER_STATUSES) expect(canMove(from, to)).toBe(false);
    expect(ORDER_STATUSES.filter((to) => canMove('completed', to))).toEqual(['cancelled']);
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

describe('deliveryStep: the delivery policy per reason', () => {
  const policy = DeliveryPolicySchema.parse({});
  const nextDay = 86_400;
  it('tries an absent customer again the next day, twice, then holds for a scheduler', () => {
    expect(deliveryStep('customer-absent', 0, policy, nextDay)).toEqual({ kind: 'retry', delaySeconds: nextDay });
    expect(deliveryStep('customer-absent', 1, policy, nextDay)).toEqual({ kind: 'retry', delaySeconds: nextDay });
    expect(deliveryStep('customer-absent', 2, policy, nextDay)).toEqual({ kind: 'hold' });
  });
  it('rebooks a parcel the courier lost at once, once; sends a wrong address to a person; cancels a refusal', () => {
    expect(deliveryStep('courier-lost', 0, policy, nextDay)).toEqual({ kind: 'retry', delaySeconds: 0 });
    expect(deliveryStep('courier-lost', 1, policy, nextDay)).toEqual({ kind: 'hold' });
    expect(deliveryStep('wrong-address', 0, policy, nextDay)).toEqual({ kind: 'hold' });
    expect(deliveryStep('refused', 0, policy, nextDay)).toEqual({ kind: 'cancel' });
    expect(deliveryStep('delivered', 7, policy, nextDay)).toEqual({ kind: 'proceed' });
  });
  it("takes a campaign's own rules, validated", () => {
    const own = DeliveryPolicySchema.parse({ refused: { action: 'hold' }, 'customer-absent': { action: 'retry', maxRetries: 1, delaySeconds: 7200 } });
    expect(deliveryStep('refused', 0, own, nextDay)).toEqual({ kind: 'hold' });
    expect(deliveryStep('customer-absent', 0, own, nextDay)).toEqual({ kind: 'retry', delaySeconds: 7200 });
    expect(DeliveryPolicySchema.safeParse({ refused: { action: 'shrug' } }).success).toBe(false);
    expect(DeliveryPolicySchema.safeParse({ 'courier-lost': { action: 'retry', maxRetries: 0 } }).error?.issues[0]?.path).toEqual(['courier-lost', 'maxRetries']);
    expect(HoldSlaSchema.safeParse({ escalateAfterSeconds: 100, cancelAfterSeconds: 50 }).error?.issues[0]?.path).toEqual(['cancelAfterSeconds']);
  });
});

describe("schedulers' refusals", () => {
  it('cancels only before delivery and never twice', () => {
    expect(cancelRefusal('held', 'delivery')).toBeUndefined();
    expect(cancelRefusal('inProgress', 'delivery')).toBeUndefined();
    expect(cancelRefusal('completed', 'followUp')).toBe('order is already completed');
    expect(cancelRefusal('inProgress', 'activation')).toMatch(/past delivery/);
  });

  it('with returns, cancels at any point until the order closes', () => {
    const returns = { returns: true };
    expect(cancelRefusal('held', 'delivery', returns)).toBeUndefined();
    expect(cancelRefusal('inProgress', 'activation', returns)).toBeUndefined();
    expect(cancelRefusal('completed', 'followUp', returns)).toBeUndefined();
    expect(cancelRefusal('completed', 'done', returns)).toBe('order is already closed');
    expect(cancelRefusal('failed', 'done', returns)).toBe('order is already failed');
    expect(cancelRefusal('cancelled', 'done', returns)).toBe('order is already cancelled');
  });

  it('retries a delivery only for a held order', () => {
    expect(deliveryRetryRefusal('held', 'delivery')).toBeUndefined();
    expect(deliveryRetryRefusal('inProgress', 'delivery')).toMatch(/not waiting/);
    expect(deliveryRetryRefusal('inProgress', 'activation')).toBe('order already delivered');
    expect(deliveryRetryRefusal('cancelled', 'done')).toBe('order is already cancelled');
  });
});
