import { condition, patched, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { InteractionPhaseKey } from '../search-attributes';
import { referrals } from './activities';
import {
  callEndedSignal, interactionQuery, referralCompletedSignal, referredSignal, type InteractionView, type InteractionWorkflowInput,
} from './messages';
import { InteractionState } from './state';

/** The patch that waits EXPIRY_RECHECK_MS after a referral Postgres still has open. */
export const EXPIRY_RECHECK_PATCH = 'hotline-expiry-recheck';

/** A call whose end the dialer never reports is taken as over after this long (its webhook was lost for good). */
export const DEFAULT_CALL_END_WAIT_HOURS = 24;

/**
 * One hotline interaction (docs/hotline.md, "The interaction workflow"): it lives while the call
 * lasts (until `ended`) and until every referral made in it is resolved, completed by the
 * customer's order in its channel or expired when its window closes (a durable timer, then an
 * activity that records it). It only orchestrates: the API records the call and the outcomes, and
 * the order that completes a referral credits the agent in its own transaction.
 *
 * No continue-as-new: a history holds the start, a signal or two per referral (three at most) and a
 * timer and an activity per window, some thirty events.
 */
export async function hotlineInteractionWorkflow(input: InteractionWorkflowInput): Promise<InteractionView> {
  const s = new InteractionState(input);
  setHandler(callEndedSignal, (m) => s.callEnded(m));
  setHandler(referredSignal, (m) => s.referred(m));
  setHandler(referralCompletedSignal, (m) => s.completed(m));
  setHandler(interactionQuery, () => s.view());

  const callDeadline = Date.now() + (input.callEndWaitHours ?? DEFAULT_CALL_END_WAIT_HOURS) * 3_600_000;
  let shownPhase = s.phase();
  const show = () => {
    setCurrentDetails(s.details());
    if (s.phase() !== shownPhase) {
      shownPhase = s.phase();
      upsertSearchAttributes([{ key: InteractionPhaseKey, value: shownPhase }]);
    }
  };

  show();
  while (s.phase() !== 'done') {
    const seen = s.version;
    const deadline = s.nextDeadline(callDeadline);
    const changed = () => s.version !== seen;
    const heard = deadline === undefined ? (await condition(changed), true) : await condition(changed, Math.max(deadline - Date.now(), 1));
    if (!heard) {
      if (s.callOpen && Date.now() >= callDeadline) s.assumeEnded();
      for (const r of s.due(Date.now())) {
        const result = await referrals.expireReferral({ recommendationId: r.recommendationId });
        // Still open (Postgres's clock behind): asked again after a pause, not at once (patched:
        // a history from before waited for the window alone).
        s.resolved(r.recommendationId, result, result.status === 'open' && patched(EXPIRY_RECHECK_PATCH) ? Date.now() : undefined);
      }
    }
    show();
  }
  return s.view();
}
