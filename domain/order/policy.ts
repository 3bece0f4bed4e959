import type { Offer, OfferInput, OrderPolicy } from '../campaign/campaign';
import type { DeliveryPolicy } from './schema';
import {
  DELIVERY_POLICY_DEFAULTS,
  HOLD_SLA_DEFAULTS,
  ORDER_POLICY_DEFAULTS,
  defaultShips,
  type DeliveryOutcome,
  type DeliveryStep,
} from './order';

/**
 * The order policy a campaign sets, applied to an order: the per-reason delivery rule, and the
 * defaults of fields added since a policy or offer was validated. Zod-free like domain/order/order.ts,
 * for the order workflow (it imports only the schemas' types, which the compiler drops). Apart from
 * domain/order/order.ts because it takes the schemas' types and the schemas take their defaults from
 * there: in one module, the two would import each other.
 */

/**
 * The per-reason rule. `retriesForReason` counts the automatic retries already made for this
 * reason since a person last decided (a scheduler's retry starts the count again).
 */
export function deliveryStep(
  outcome: DeliveryOutcome,
  retriesForReason: number,
  policy: DeliveryPolicy,
  defaultDelaySeconds: number,
): DeliveryStep {
  if (outcome === 'delivered') return { kind: 'proceed' };
  const rule = policy[outcome];
  if (rule.action !== 'retry') return { kind: rule.action };
  if (retriesForReason >= rule.maxRetries) return { kind: 'hold' };
  return { kind: 'retry', delaySeconds: rule.delaySeconds ?? defaultDelaySeconds };
}

/**
 * An offer the API once validated, with the defaults of fields added since (an order of a campaign
 * that started before offers had items ships a SIM card). What OfferSchema.parse gives for it,
 * without zod (test/unit/order.test.ts holds the two equal).
 */
export function withOfferDefaults(offer: OfferInput): Offer {
  const { code, name, price, ships, collect } = offer;
  return { code, name, price, ships: ships ?? defaultShips(), ...(collect ? { collect } : {}) };
}

/**
 * An order policy the API once validated, with the defaults of fields added since (whole fields and
 * single reasons or limits alike). What OrderPolicySchema.parse gives for it, without zod.
 */
export function withPolicyDefaults(policy: Partial<OrderPolicy> | undefined): OrderPolicy {
  const given = <T extends object>(o: T | undefined): Partial<T> =>
    Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
  const p = given(policy);
  return {
    ...ORDER_POLICY_DEFAULTS,
    ...p,
    delivery: { ...DELIVERY_POLICY_DEFAULTS, ...given(p.delivery) },
    holdSla: { ...HOLD_SLA_DEFAULTS, ...given(p.holdSla) },
    ...(p.followUpOffer ? { followUpOffer: withOfferDefaults(p.followUpOffer) } : {}),
  };
}
