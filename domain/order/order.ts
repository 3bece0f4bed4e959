/**
 * The order's life, after TM Forum TMF622 (product ordering): the states a person sees, the moves
 * allowed between them, and the first version's delivery rule. Pure: the order workflow asks these
 * functions what to do and only carries it out. No zod here: the order workflow imports this
 * module, and every workflow in the worker's cache evaluates its own copy of what it imports (the
 * schemas that validate requests are in domain/order/schema.ts). It imports no other module either:
 * the schemas take their defaults from here, so what takes the schemas' types (the order policy
 * applied) is in domain/order/policy.ts, else the modules would import each other.
 */
export const ORDER_STATUSES = ['acknowledged', 'inProgress', 'held', 'completed', 'failed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** What the order is busy with; the status says how it stands, the stage says where. */
export const ORDER_STAGES = ['delivery', 'activation', 'followUp', 'done'] as const;
export type OrderStage = (typeof ORDER_STAGES)[number];

const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  acknowledged: ['inProgress', 'cancelled', 'failed'],
  inProgress: ['held', 'completed', 'failed', 'cancelled'],
  held: ['inProgress', 'cancelled', 'failed'],
  // A return: the customer cancels after activation, while the order still runs (until its
  // follow-up call); the service is deactivated, the goods picked up and the money refunded.
  completed: ['cancelled'],
  failed: [],
  cancelled: [],
};

export const isTerminal = (s: OrderStatus): boolean => TRANSITIONS[s].length === 0;
/** No further decision on it: failed, cancelled, or completed (a return aside). */
export const isSettled = (s: OrderStatus): boolean => isTerminal(s) || s === 'completed';

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * Why the order cannot go from where it is to a status and stage, or undefined when it may: a move
 * of status TRANSITIONS does not allow, a stage it has left behind, or any move once it is done.
 * Staying in a status is no move (a compensation step, an escalation or an automatic retry is
 * recorded in the status it happens in).
 */
export function moveRefusal(from: { status: OrderStatus; stage: OrderStage }, to: { status: OrderStatus; stage: OrderStage }): string | undefined {
  if (from.stage === 'done') return `the order is closed (${from.status}); it moves no more`;
  if (from.status !== to.status && !canMove(from.status, to.status)) return `${from.status} -> ${to.status} is not a move an order makes`;
  if (ORDER_STAGES.indexOf(to.stage) < ORDER_STAGES.indexOf(from.stage)) return `stage ${from.stage} -> ${to.stage}: an order does not go back`;
  return undefined;
}

export const DELIVERY_OUTCOMES = ['delivered', 'customer-absent', 'wrong-address', 'refused', 'courier-lost'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];
export type FailedDelivery = Exclude<DeliveryOutcome, 'delivered'>;

export type DeliveryDecision = 'proceed' | 'retry' | 'hold';

/**
 * First version: a failed delivery is retried once automatically; after that a scheduler decides.
 * attemptsMade counts the attempt that just ended. Kept for orders started before the per-reason
 * policy (workflows/order/legacy.ts, patch 'delivery-policy-per-reason').
 */
export function deliveryDecision(outcome: DeliveryOutcome, attemptsMade: number, autoRetries = 1): DeliveryDecision {
  if (outcome === 'delivered') return 'proceed';
  return attemptsMade <= autoRetries ? 'retry' : 'hold';
}

/**
 * The delivery policy a scheduler would write down (validated by DeliveryPolicySchema in
 * domain/order/schema.ts, whose defaults these are): customer absent → try again the next day, at
 * most twice; courier lost the parcel → rebook at once, once; wrong address → straight to a person
 * (only a person can get the right one); refused → the customer does not want it: cancel.
 */
// These defaults carry no DeliveryPolicy, HoldSla, Offer or OrderPolicy annotation: those types come
// from the schemas that take these as their defaults, and importing them here made an import cycle.
// The schemas' .default() and domain/order/policy.ts check them; `as const` keeps each action the
// literal a rule needs.
export const DELIVERY_POLICY_DEFAULTS = {
  'customer-absent': { action: 'retry', maxRetries: 2 },
  'courier-lost': { action: 'retry', maxRetries: 1, delaySeconds: 0 },
  'wrong-address': { action: 'hold' },
  refused: { action: 'cancel' },
} as const;

export type DeliveryStep =
  | { kind: 'proceed' }
  | { kind: 'retry'; delaySeconds: number }
  | { kind: 'hold' }
  | { kind: 'cancel' };

/**
 * A held order waits for a scheduler. Past `escalateAfterSeconds` without a decision it is
 * escalated (shown in the API, the work queue and the UI); past `cancelAfterSeconds` it is cancelled.
 */
export const HOLD_SLA_DEFAULTS = { escalateAfterSeconds: 4 * 3_600, cancelAfterSeconds: 3 * 86_400 };

/** What an offer ships unless it says: one SIM card (OfferSchema's default, a fresh copy each time). */
export const defaultShips = (): { sku: string; qty: number }[] => [{ sku: 'sim-card', qty: 1 }];

/** The order policy's defaults (OrderPolicySchema's, in domain/campaign/campaign.ts). */
export const ORDER_POLICY_DEFAULTS = {
  followUpDelaySeconds: 7 * 86_400,
  deliveryRetryDelaySeconds: 86_400,
  followUpMaxAttempts: 3,
  followUpRetryDelaySeconds: 3_600,
  delivery: DELIVERY_POLICY_DEFAULTS,
  holdSla: HOLD_SLA_DEFAULTS,
};

/** Why a scheduler's cancel is refused, or undefined when it may go ahead. */
export function cancelRefusal(status: OrderStatus, stage: OrderStage, opts: { returns?: boolean } = {}): string | undefined {
  if (opts.returns) {
    // Orders that compensate: cancelled at any point until they close.
    if (isTerminal(status) || stage === 'done') return `order is already ${stage === 'done' && status === 'completed' ? 'closed' : status}`;
    return undefined;
  }
  if (isSettled(status)) return `order is already ${status}`;
  if (stage !== 'delivery') return `order is past delivery (${stage}); it can no longer be cancelled`;
  return undefined;
}

/**
 * Why a reschedule or reassignment is refused: only a held order, or one whose booking is under
 * way (it is cancelled at the courier and made again), can be booked anew.
 */
export function deliveryChangeRefusal(status: OrderStatus, stage: OrderStage, bookingOpen: boolean): string | undefined {
  if (isSettled(status)) return `order is already ${status}`;
  if (stage !== 'delivery') return 'order already delivered';
  if (status !== 'held' && !bookingOpen) return 'no delivery is booked now (an automatic retry is due); try again in a moment';
  return undefined;
}

/** Why a delivery slot cannot be booked: not a time, in the past, or more than a year ahead. */
export function slotRefusal(slot: string, nowMs: number): string | undefined {
  const at = Date.parse(slot);
  if (Number.isNaN(at)) return 'slot: not an ISO date-time';
  if (at < nowMs - 3_600_000) return 'slot: in the past';
  if (at > nowMs + 366 * 86_400_000) return 'slot: more than a year ahead';
  return undefined;
}

/** Why a scheduler's delivery retry is refused, or undefined when it may go ahead. */
export function deliveryRetryRefusal(status: OrderStatus, stage: OrderStage): string | undefined {
  if (isSettled(status)) return `order is already ${status}`;
  if (stage !== 'delivery') return 'order already delivered';
  if (status !== 'held') return 'order is not waiting for a scheduler (a delivery is under way)';
  return undefined;
}
