import { z } from 'zod';

/**
 * The order's life, after TM Forum TMF622 (product ordering): the states a person sees, the moves
 * allowed between them, and the first version's delivery rule. Pure: the order workflow asks these
 * functions what to do and only carries it out.
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
const isSettled = (s: OrderStatus): boolean => isTerminal(s) || s === 'completed';

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export const DELIVERY_OUTCOMES = ['delivered', 'customer-absent', 'wrong-address', 'refused', 'courier-lost'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];
export type FailedDelivery = Exclude<DeliveryOutcome, 'delivered'>;

export type DeliveryDecision = 'proceed' | 'retry' | 'hold';

/**
 * First version: a failed delivery is retried once automatically; after that a scheduler decides.
 * attemptsMade counts the attempt that just ended. Kept for orders started before the per-reason
 * policy (workflows/order.ts, patch 'delivery-policy-per-reason').
 */
export function deliveryDecision(outcome: DeliveryOutcome, attemptsMade: number, autoRetries = 1): DeliveryDecision {
  if (outcome === 'delivered') return 'proceed';
  return attemptsMade <= autoRetries ? 'retry' : 'hold';
}

/** What to do after a failed delivery, per reason: retry by itself, hold for a scheduler, or cancel. */
const ReasonRuleSchema = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('retry'),
    /** Automatic retries for this reason before a scheduler decides. */
    maxRetries: z.number().int().min(1).max(5),
    /** Wait before the retry; the order policy's deliveryRetryDelaySeconds (the next day) when absent. */
    delaySeconds: z.number().int().min(0).max(30 * 86_400).optional(),
  }),
  z.strictObject({ action: z.literal('hold') }),
  z.strictObject({ action: z.literal('cancel') }),
]);
export type ReasonRule = z.infer<typeof ReasonRuleSchema>;

/**
 * The delivery policy a scheduler would write down: customer absent → try again the next day, at
 * most twice; courier lost the parcel → rebook at once, once; wrong address → straight to a person
 * (only a person can get the right one); refused → the customer does not want it: cancel.
 */
export const DeliveryPolicySchema = z.strictObject({
  'customer-absent': ReasonRuleSchema.default({ action: 'retry', maxRetries: 2 }),
  'courier-lost': ReasonRuleSchema.default({ action: 'retry', maxRetries: 1, delaySeconds: 0 }),
  'wrong-address': ReasonRuleSchema.default({ action: 'hold' }),
  refused: ReasonRuleSchema.default({ action: 'cancel' }),
});
export type DeliveryPolicy = z.output<typeof DeliveryPolicySchema>;

export type DeliveryStep =
  | { kind: 'proceed' }
  | { kind: 'retry'; delaySeconds: number }
  | { kind: 'hold' }
  | { kind: 'cancel' };

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
 * A held order waits for a scheduler. Past `escalateAfterSeconds` without a decision it is
 * escalated (shown in the API, the work queue and the UI); past `cancelAfterSeconds` it is cancelled.
 */
export const HoldSlaSchema = z.strictObject({
  escalateAfterSeconds: z.number().int().min(1).max(30 * 86_400).default(4 * 3_600),
  cancelAfterSeconds: z.number().int().min(1).max(90 * 86_400).default(3 * 86_400),
}).refine((s) => s.cancelAfterSeconds > s.escalateAfterSeconds, { message: 'must be later than escalateAfterSeconds', path: ['cancelAfterSeconds'] });
export type HoldSla = z.output<typeof HoldSlaSchema>;

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

/** A delivery slot in a request: an ISO time with its offset, from now to a year ahead. */
export const SlotSchema = z.iso.datetime({ offset: true }).superRefine((v, ctx) => {
  const why = slotRefusal(v, Date.now());
  if (why) ctx.addIssue({ code: 'custom', message: why.replace(/^slot: /, '') });
});

/** Why a scheduler's delivery retry is refused, or undefined when it may go ahead. */
export function deliveryRetryRefusal(status: OrderStatus, stage: OrderStage): string | undefined {
  if (isSettled(status)) return `order is already ${status}`;
  if (stage !== 'delivery') return 'order already delivered';
  if (status !== 'held') return 'order is not waiting for a scheduler (a delivery is under way)';
  return undefined;
}
