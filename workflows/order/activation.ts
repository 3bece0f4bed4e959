import { ActivityFailure, ApplicationFailure, patched } from '@temporalio/workflow';
import { followUpDue } from '../../domain/order/waiting';
import { billing } from './activities';
import { cancel, fail } from './compensation';
import { REVIEW_FIXES_PATCH, type OrderView } from './messages';
import type { OrderRun } from './run';
import { OrderMoveRefused } from './state';

/**
 * Activation: exactly once in the BSS, keyed by the order id. Undefined: activated, the order goes
 * on to its follow-up; else the order closed (its view).
 */
export async function activate(o: OrderRun): Promise<OrderView | undefined> {
  const { state } = o;
  // A cancel that came with the delivery report: nothing to activate, only to undo (before the
  // patch it took effect after the activation).
  if (o.logistics && state.cancelRequest && patched(REVIEW_FIXES_PATCH)) return cancel(o);
  // The order waits for the BSS since its move to activation (delivery.ts said so with the move).
  try {
    const activation = await billing.activateService({ orderId: o.orderId, serviceCode: o.input.offer.code });
    state.activationId = activation.activationId;
    o.wait(followUpDue(o.policy.followUpDelaySeconds));
    await o.moveTo('completed', 'followUp', 'activated in the BSS', {
      activatedAt: activation.activatedAt, activationRef: activation.activationId,
    });
  } catch (err) {
    if (err instanceof OrderMoveRefused) throw err; // a bug, not the BSS's answer
    const cause = err instanceof ActivityFailure ? err.cause : err;
    const why = cause instanceof ApplicationFailure && cause.type === 'ActivationRefused'
      ? `the BSS refused the activation: ${cause.message}`
      : `activation failed after retries: ${(cause as Error)?.message ?? String(cause)}`;
    return fail(o, why);
  }
  // A cancel that came while the BSS was activating takes effect now (a return).
  if (o.logistics && state.cancelRequest) return cancel(o);
  return undefined;
}
