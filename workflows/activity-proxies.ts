import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/**
 * The activity stubs the workflows share, each with timeouts that fit its kind of side effect. No
 * imports beyond the SDK's: the order workflow, cached by the hundred in every worker, imports this.
 * Postgres statements take seconds and are retried until the database is back (they are idempotent).
 */
export const data = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

// A call waits for the customer: minutes. The dialer being down is retried a few times, then the
// attempt counts as not placed and the caller's retry rule takes over.
export const telephony = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  retry: { initialInterval: '2s', maximumInterval: '1 minute', maximumAttempts: 6 },
});
