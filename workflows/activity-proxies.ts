import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { PLACE_CALLS_MAX_ATTEMPTS } from '../domain/dialing';

/**
 * The activity stubs both workflows share, each with timeouts that fit its kind of side effect.
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

// Placing a batch of calls takes a moment (the dialer answers at once; outcomes come by signal).
// A dialer outage is retried a few times; the last attempt reports what is still refused as not placed.
export const dialer = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2s', maximumInterval: '30s', maximumAttempts: PLACE_CALLS_MAX_ATTEMPTS },
});
