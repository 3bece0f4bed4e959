import { proxyActivities } from '@temporalio/workflow';
// Types only: the factory's module (pg, the client) never reaches the workflow bundle.
import type { createReferralSweepActivities } from '../../activities/hotline/sweep';

type Sweep = ReturnType<typeof createReferralSweepActivities>;

const sweep = proxyActivities<Sweep>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5s', maximumInterval: '1 minute', maximumAttempts: 5 },
  summary: 'open referrals: the closed windows expired, the unfollowed followed',
});

/** How many referrals of each kind one pass handles; the next pass takes the rest. */
export const SWEEP_BATCH = 500;

/**
 * The `hotline-referral-sweep` Schedule's action (every 10 minutes): one activity, which expires
 * open referrals past their window and follows again those with no running workflow.
 */
export async function hotlineReferralSweepWorkflow(): Promise<{ expired: number; followed: number; checked: number }> {
  return sweep.sweepReferrals({ limit: SWEEP_BATCH });
}
