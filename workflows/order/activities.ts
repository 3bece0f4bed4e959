import { proxyActivities } from '@temporalio/workflow';
// Types only: the factories' modules (pg, HTTP) never reach the workflow bundle.
import type { createBillingActivities } from '../../activities/order/billing';
import type { createDeliveryActivities } from '../../activities/order/delivery';
import type { createOrderActivities } from '../../activities/order/orders';
import type { createStockActivities } from '../../activities/logistics/stock';
import type { createTelephonyActivities } from '../../activities/campaign/telephony';

/**
 * The order's activities, one proxy per kind of side effect, each typed from its own factory and
 * narrowed to what the order calls, with timeouts and retries that fit it.
 */
type Courier = ReturnType<typeof createDeliveryActivities>;
type Billing = ReturnType<typeof createBillingActivities>;

export const courier = proxyActivities<Pick<Courier, 'bookDelivery' | 'cancelDelivery'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2s', maximumInterval: '5 minutes' },
});
// BSS faults (errors, timeouts) are retried, at least once a minute, however long the BSS is down:
// an outage must not fail delivered orders (it did after 30 attempts, ~25 minutes). A refusal is
// not retried. The idempotency key (the order id) keeps it one activation whatever the retries.
export const billing = proxyActivities<Pick<Billing, 'activateService'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: ['ActivationRefused'] },
  summary: 'activate the service in the BSS (idempotency key: order id)',
});
// Compensation: undoing is retried until it is done (each step is idempotent), whatever the outage.
export const undoInBss = proxyActivities<Pick<Billing, 'deactivateService'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: ['DeactivationRefused'] },
  summary: 'compensation: deactivate the service in the BSS',
});
// A follow-up call: the dialer rings and the survey takes a few minutes. A call whose attempt was
// lost with a crashed worker is placed again once this has passed (the call id keeps it one call).
export const followUpCalls = proxyActivities<Pick<ReturnType<typeof createTelephonyActivities>, 'placeCall'>>({
  startToCloseTimeout: '6 minutes',
  retry: { initialInterval: '2s', maximumInterval: '1 minute', maximumAttempts: 6 },
});
export const returns = proxyActivities<Pick<Courier, 'bookReturn'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2s', maximumInterval: '5 minutes' },
  summary: 'compensation: book the return pickup with the courier',
});

// Postgres statements take seconds and are retried until the database is back (they are
// idempotent): the order's history rows and follow-on sale, and its stock and money.
const DATA = { startToCloseTimeout: '1 minute', retry: { initialInterval: '1s', maximumInterval: '30s' } } as const;
export const orderRecords = proxyActivities<Pick<ReturnType<typeof createOrderActivities>, 'recordOrderEvent' | 'recordOrderWait' | 'startFollowOnOrder' | 'followUpRules'>>(DATA);
export const stock = proxyActivities<ReturnType<typeof createStockActivities>>(DATA);
