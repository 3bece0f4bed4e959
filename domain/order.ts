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
  completed: [],
  failed: [],
  cancelled: [],
};

export const isTerminal = (s: OrderStatus): boolean => TRANSITIONS[s].length === 0;

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export const DELIVERY_OUTCOMES = ['delivered', 'customer-absent', 'wrong-address', 'refused'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

export type DeliveryDecision = 'proceed' | 'retry' | 'hold';

/**
 * First version: a failed delivery is retried once automatically; after that a scheduler decides.
 * attemptsMade counts the attempt that just ended.
 */
export function deliveryDecision(outcome: DeliveryOutcome, attemptsMade: number, autoRetries = 1): DeliveryDecision {
  if (outcome === 'delivered') return 'proceed';
  return attemptsMade <= autoRetries ? 'retry' : 'hold';
}

/** Why a scheduler's cancel is refused, or undefined when it may go ahead. */
export function cancelRefusal(status: OrderStatus, stage: OrderStage): string | undefined {
  if (isTerminal(status)) return `order is already ${status}`;
  if (stage !== 'delivery') return `order is past delivery (${stage}); it can no longer be cancelled`;
  return undefined;
}

/** Why a scheduler's delivery retry is refused, or undefined when it may go ahead. */
export function deliveryRetryRefusal(status: OrderStatus, stage: OrderStage): string | undefined {
  if (isTerminal(status)) return `order is already ${status}`;
  if (stage !== 'delivery') return 'order already delivered';
  if (status !== 'held') return 'order is not waiting for a scheduler (a delivery is under way)';
  return undefined;
}
