import { condition, sleep } from '@temporalio/workflow';
import type { DeliveryDecision, DeliveryStep } from '../../domain/order/order';
import type { OrderRun } from './run';

// Kept only for histories started before a patch; each goes with deprecatePatch of its patch.

/**
 * The first version's verdicts in the per-reason policy's terms (orders started before
 * 'delivery-policy-per-reason').
 */
export function legacyStep(decision: DeliveryDecision, retryDelaySeconds: number): DeliveryStep {
  return decision === 'proceed' ? { kind: 'proceed' } : decision === 'hold' ? { kind: 'hold' } : { kind: 'retry', delaySeconds: retryDelaySeconds };
}

/**
 * The wait for the follow-up call of orders without returns (a plain timer), and of orders with
 * returns started before 'order-review-fixes' (a zero delay was condition(fn, 0), with the SDK's
 * marker). True: cancelled meanwhile.
 */
export async function legacyUntilFollowUp(o: OrderRun, delayMs: number): Promise<boolean> {
  if (!o.logistics) {
    await sleep(delayMs);
    return false;
  }
  return condition(() => o.state.cancelRequest !== undefined, delayMs);
}
