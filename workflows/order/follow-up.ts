import { patched, sleep } from '@temporalio/workflow';
import { followUpCallId } from '../../domain/order/ids';
import { followUpCalls, orderRecords } from './activities';
import { cancel } from './compensation';
import { legacyUntilFollowUp } from './legacy';
import { REVIEW_FIXES_PATCH, type OrderView } from './messages';
import type { OrderRun } from './run';

/** Follow-up: a durable timer, then an after-sales call (a few attempts); the order then closes. */
export async function followUp(o: OrderRun): Promise<OrderView> {
  const { orderId, policy, state } = o;
  o.wait(`the follow-up call, due in ${policy.followUpDelaySeconds}s`);
  // Until the follow-up the customer may still return the order (a cancel).
  const delayMs = policy.followUpDelaySeconds * 1000;
  if (await (o.logistics && patched(REVIEW_FIXES_PATCH) ? o.sleepUnlessCancelled(delayMs) : legacyUntilFollowUp(o, delayMs))) return cancel(o);
  state.followUp = { result: 'unreached' };
  let soldAgain = false;
  for (let attempt = 1; attempt <= policy.followUpMaxAttempts; attempt++) {
    if (o.logistics && state.cancelRequest) return cancel(o);
    o.wait(`follow-up call attempt ${attempt}`);
    try {
      const outcome = await followUpCalls.placeCall({
        callId: followUpCallId(orderId, attempt), purpose: 'followup', campaignId: o.input.campaignId, orderId, attemptNo: attempt,
      });
      if (outcome.connected) {
        state.followUp = {
          result: 'reached', satisfaction: outcome.satisfaction, complaint: outcome.complaint ?? false,
          ...(outcome.complaintReason ? { complaintReason: outcome.complaintReason } : {}),
        };
        soldAgain = o.logistics && outcome.resale === true && policy.followUpOffer !== undefined;
        if (soldAgain && !patched(REVIEW_FIXES_PATCH)) {
          // Before the patch the sale was made here, a failure of it counting as an unreached call.
          await sellFollowOn(o);
          soldAgain = false;
        }
        break;
      }
    } catch {
      // the dialer could not place it: counts as an unreached attempt
    }
    if (attempt < policy.followUpMaxAttempts) {
      // Not cut short by a cancel without returns, nor before the patch.
      if (!o.logistics || !patched(REVIEW_FIXES_PATCH)) await sleep(policy.followUpRetryDelaySeconds * 1000);
      else if (await o.sleepUnlessCancelled(policy.followUpRetryDelaySeconds * 1000)) return cancel(o);
    }
  }
  // The call also offered something more: a yes is a new order, linked to this one.
  if (soldAgain) await sellFollowOn(o);
  // A return asked for during the call takes effect now (before the patch: too late, the order closed).
  if (o.logistics && state.cancelRequest && patched(REVIEW_FIXES_PATCH)) return cancel(o);
  const said = state.followUp.result === 'reached'
    ? `follow-up: satisfaction ${state.followUp.satisfaction ?? '-'}/5${state.followUp.complaint ? `, complaint recorded (${state.followUp.complaintReason ?? 'no reason given'})` : ''}${state.followOnOrderId ? `; sold ${policy.followUpOffer?.name} again: order ${state.followOnOrderId}` : ''}`
    : `follow-up: customer not reached in ${policy.followUpMaxAttempts} attempts`;
  o.wait('nothing (done)');
  await o.moveTo('completed', 'done', said, { followUp: state.followUp });
  return o.close();
}

async function sellFollowOn(o: OrderRun): Promise<void> {
  const followOn = await orderRecords.startFollowOnOrder({ parentOrderId: o.orderId, offer: o.policy.followUpOffer!, policy: o.policy });
  o.state.followOnOrderId = followOn.orderId;
}
