import { patched, sleep } from '@temporalio/workflow';
import { followUpCallId } from '../../domain/order/ids';
import { followUpCallRules, type FollowUpCallRules } from '../../domain/order/follow-up';
import { nextDialingOpening } from '../../domain/compliance/dial-window';
import { WAITING } from '../../domain/order/waiting';
import { followUpCalls, orderRecords } from './activities';
import { cancel } from './compensation';
import { legacyUntilFollowUp } from './legacy';
import { FOLLOWUP_WINDOW_PATCH, REVIEW_FIXES_PATCH, type OrderView } from './messages';
import type { OrderRun } from './run';

/** Follow-up: a durable timer, then an after-sales call (a few attempts); the order then closes. */
export async function followUp(o: OrderRun): Promise<OrderView> {
  const { orderId, policy, state } = o;
  // The order waits for the follow-up call since its activation (activation.ts said so with the move).
  // Until the follow-up the customer may still return the order (a cancel).
  const delayMs = policy.followUpDelaySeconds * 1000;
  if (await (o.logistics && patched(REVIEW_FIXES_PATCH) ? o.sleepUnlessCancelled(delayMs) : legacyUntilFollowUp(o, delayMs))) return cancel(o);
  state.followUp = { result: 'unreached' };
  // Since the patch a follow-up is a call like a sales call: in the customer's window, an offering one within the cap.
  const rules = patched(FOLLOWUP_WINDOW_PATCH) ? followUpCallRules(policy, await orderRecords.followUpRules({ orderId })) : undefined;
  let soldAgain = false;
  /** Why the follow-up was not called (again): refused at dialing, or a window that never opens. */
  let notCalled: string | undefined;
  for (let attempt = 1; attempt <= policy.followUpMaxAttempts; attempt++) {
    if (o.logistics && state.cancelRequest) return cancel(o);
    if (rules) {
      const opening = await untilWindowOpens(o, rules);
      if (opening === 'cancelled') return cancel(o);
      if (opening === 'never') {
        notCalled = 'its calling window never opens';
        break;
      }
    }
    await o.waitRecorded(`follow-up call attempt ${attempt}`, `calling the customer: follow-up call attempt ${attempt}`);
    try {
      const outcome = await followUpCalls.placeCall({
        callId: followUpCallId(orderId, attempt), purpose: 'followup', campaignId: o.input.campaignId, orderId, attemptNo: attempt,
        ...(rules ? { window: rules.window, offers: rules.offers, ...(rules.contactCap ? { contactCap: rules.contactCap } : {}) } : {}),
      });
      // Refused at dialing for good (do-not-call, the contact cap): not tried again.
      if (rules && outcome.disposition === 'blocked') {
        notCalled = 'the call was refused at dialing (do-not-call or the contact cap: the contact log says which)';
        break;
      }
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
    : notCalled ? `follow-up: not called, ${notCalled}` : `follow-up: customer not reached in ${policy.followUpMaxAttempts} attempts`;
  o.wait(WAITING.done);
  await o.moveTo('completed', 'done', said, { followUp: state.followUp });
  return o.close();
}

/**
 * A durable timer until a call may start in the customer's window (domain/compliance/dial-window.ts),
 * cut short by a cancel. 'never': the window does not open within a year.
 */
async function untilWindowOpens(o: OrderRun, rules: FollowUpCallRules): Promise<'open' | 'cancelled' | 'never'> {
  const now = new Date();
  const opening = nextDialingOpening(rules.window, rules.timeZone, now);
  if (!opening) return 'never';
  const waitMs = opening.getTime() - now.getTime();
  if (waitMs <= 0) return 'open';
  await o.waitRecorded(`the follow-up's calling window, which opens at ${opening.toISOString()} (${rules.window.start} in ${rules.timeZone})`,
    `the follow-up call waits for the customer's calling window (${rules.window.start}-${rules.window.end} in ${rules.timeZone})`);
  return (await o.sleepUnlessCancelled(waitMs)) ? 'cancelled' : 'open';
}

async function sellFollowOn(o: OrderRun): Promise<void> {
  const followOn = await orderRecords.startFollowOnOrder({ parentOrderId: o.orderId, offer: o.policy.followUpOffer!, policy: o.policy });
  o.state.followOnOrderId = followOn.orderId;
}
