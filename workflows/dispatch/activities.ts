import { proxyActivities } from '@temporalio/workflow';
// Types only: the factory's module (pg, the Temporal client) never reaches the workflow bundle.
import type { createDeliveryJobActivities } from '../../activities/dispatch/retry-jobs';

/** The bulk retry job's activities, typed from their own factory and narrowed per proxy. */
type Jobs = ReturnType<typeof createDeliveryJobActivities>;

/** The job's scope, fixed at its start: a Postgres statement, retried until the database is back. */
export const scope = proxyActivities<Pick<Jobs, 'snapshotHeldOrders'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

// A batch waits for its orders' new bookings (bounded per order); a worker that dies mid-batch is
// noticed by the heartbeat, and the retried batch re-attaches to the same updates by their ids.
export const batches = proxyActivities<Pick<Jobs, 'retryHeldDeliveries'>>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2s', maximumInterval: '1 minute' },
});
