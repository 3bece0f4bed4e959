import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES, canMove, cancelRefusal, deliveryDecision, deliveryRetryRefusal, isTerminal } from '../../domain/order/order';
import { deliveryStep, withOfferDefaults, withPolicyDefaults } from '../../domain/order/policy';
import { DeliveryPolicySchema, HoldSlaSchema } from '../../domain/order/schema';
import { OfferSchema, OrderPolicySchema, type OfferInput, type OrderPolicy } from '../../domain/campaign/campaign';

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

describe('defaults without zod (what the order workflow applies to its input)', () => {
  // Policies and offers as the API validated them at some point: fields added later are absent.
  const policies: Partial<OrderPolicy>[] = [
    {},
    { followUpDelaySeconds: 5, followUpMaxAttempts: 2 },
    { deliveryRetryDelaySeconds: 0, delivery: { refused: { action: 'hold' }, 'customer-absent': { action: 'retry', maxRetries: 1, delaySeconds: 60 } } as OrderPolicy['delivery'] },
    { holdSla: { escalateAfterSeconds: 60 } as OrderPolicy['holdSla'] },
    { followUpOffer: { code: 'vas-music', name: 'Music pack', price: 10 } as OrderPolicy['followUpOffer'] },
    OrderPolicySchema.parse({ followUpOffer: { code: 'vas-video', name: 'Video pack', price: 15, collect: { method: 'deposit', amount: 50 } } }),
  ];
  it.each(policies.map((p, i) => [i, p] as const))('policy %i: withPolicyDefaults equals OrderPolicySchema.parse', (_i, p) => {
    expect(withPolicyDefaults(p)).toEqual(OrderPolicySchema.parse(p));
  });

  it('an absent policy gets every default', () => {
    expect(withPolicyDefaults(undefined)).toEqual(OrderPolicySchema.parse({}));
  });

  const offers: OfferInput[] = [
    { code: 'sim-38', name: 'SIM 38', price: 38 },
    { code: 'phone-5g', name: '5G phone', price: 99, ships: [{ sku: 'handset', qty: 1 }, { sku: 'sim-card', qty: 1 }], collect: { method: 'cash-on-delivery', amount: 300 } },
  ];
  it.each(offers.map((o) => [o.code, o] as const))('offer %s: withOfferDefaults equals OfferSchema.parse', (_code, o) => {
    expect(withOfferDefaults(o)).toEqual(OfferSchema.parse(o));
  });

  it('hands out fresh defaults: changing one order policy leaves the next one alone', () => {
    const a = withPolicyDefaults({});
    a.delivery['customer-absent'] = { action: 'hold' };
    a.holdSla.escalateAfterSeconds = 1;
    withOfferDefaults(offers[0]!).ships.push({ sku: 'handset', qty: 1 });
    expect(withPolicyDefaults({})).toEqual(OrderPolicySchema.parse({}));
    expect(withOfferDefaults(offers[0]!).ships).toEqual([{ sku: 'sim-card', qty: 1 }]);
  });
});
