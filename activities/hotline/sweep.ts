import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../../infra/db';
import { inTransaction } from '../../infra/db';
import { expireReferral, markSwept, referralsToSweep } from '../../db/hotline/referrals-sql';
import { interactionWorkflowId } from '../../workflows/hotline/messages';
import { followReferral } from './interactions';

/**
 * The referral sweep (the hotline-referral-sweep Schedule's activity; docs/hotline.md,
 * "Referrals"): a referral is followed by its interaction's workflow, told after the outcome's
 * commit; were that telling lost (Temporal away at that moment, the API killed), the referral would
 * stay open for ever. Each pass expires the open referrals whose window has closed, and follows
 * again the ones whose interaction has no running workflow. Idempotent: expiring records once, and
 * following is a signal-with-start the workflow applies once.
 */
export function createReferralSweepActivities(deps: { db: Db; client: Client; taskQueue: string }) {
  return {
    async sweepReferrals(input: { limit: number }): Promise<{ expired: number; followed: number; checked: number }> {
      const { expired, toCheck } = await referralsToSweep(deps.db, input.limit);
      let done = 0;
      for (const id of expired) {
        if ((await inTransaction(deps.db, (tx) => expireReferral(tx, Number(id)))).status === 'expired') done++;
      }
      let followed = 0;
      for (const r of toCheck) {
        if (!(await running(deps.client, r.interaction_id))) {
          await followReferral(deps.client, deps.taskQueue, r);
          followed++;
        }
        await markSwept(deps.db, r.recommendation_id);
      }
      return { expired: done, followed, checked: toCheck.length };
    },
  };
}

async function running(client: Client, interactionId: string): Promise<boolean> {
  try {
    return (await client.workflow.getHandle(interactionWorkflowId(Number(interactionId))).describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
