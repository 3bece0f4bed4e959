import { proxyActivities } from '@temporalio/workflow';
// Types only: the factory's module (pg) never reaches the workflow bundle.
import type { createReferralActivities } from '../../activities/hotline/referrals';

type Referrals = ReturnType<typeof createReferralActivities>;

/** A referral's window closed: two short statements, retried until Postgres answers. */
export const referrals = proxyActivities<Pick<Referrals, 'expireReferral'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1s', maximumInterval: '1 minute' },
  summary: 'a referral\'s window closed: expired unless an order completed it',
});
