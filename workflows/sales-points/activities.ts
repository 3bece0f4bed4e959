import { proxyActivities } from '@temporalio/workflow';
// Types only: the factories' modules (pg, the Temporal client) never reach the workflow bundle.
import type { createRunActivities } from '../../activities/sales-points/runs';
import type { createBillingActivities } from '../../activities/sales-points/billing';
import type { createReconciliationActivities } from '../../activities/sales-points/reconciliation';
import type { createBudgetWatchActivities } from '../../activities/sales-points/budget-watch';
import type { createAlertActivities } from '../../activities/alerts/delivery';

type Runs = ReturnType<typeof createRunActivities>;
type Billing = ReturnType<typeof createBillingActivities>;
type Reconciliation = ReturnType<typeof createReconciliationActivities>;
type BudgetWatch = ReturnType<typeof createBudgetWatchActivities>;
type Alerts = ReturnType<typeof createAlertActivities>;

// The run's own rows and settings: SQL statements, retried while Postgres is away. A closed month
// is refused for good (MonthClosed), not retried.
export const runs = proxyActivities<Pick<Runs,
  'beginSalesPointsRun' | 'findUploadedImport' | 'escalateSalesPointsRun' | 'startMonthsRun' | 'salesPointsRunStaleness' | 'resumeReconciledRun'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2s', maximumInterval: '1 minute', nonRetryableErrorTypes: ['MonthClosed'] },
});

// Billing's export: a download and a COPY of up to millions of rows; the BSS may be away for a while.
export const billing = proxyActivities<Pick<Billing, 'importBillingFromBss'>>({
  startToCloseTimeout: '1 hour',
  // It heartbeats every 5 s: a worker lost mid-file is noticed in a minute, not an hour.
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '10s', maximumInterval: '5 minutes' },
  summary: "import billing's list of the month from the BSS",
});

// The matching is one set of statements over the month (minutes at a million rows); closing, one transaction.
export const reconciliation = proxyActivities<Pick<Reconciliation, 'reconcileSalesMonth' | 'closeSalesMonth'>>({
  startToCloseTimeout: '1 hour',
  // The reconciliation heartbeats while its statements run (activities/heartbeat.ts).
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5s', maximumInterval: '2 minutes' },
});

export const budgetWatch = proxyActivities<Pick<BudgetWatch, 'watchPointsBudgets'>>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5s', maximumInterval: '1 minute', maximumAttempts: 5 },
  summary: 'hold provisional points against the budgets',
});

// A webhook to finance's address: a few attempts with backoff, then it waits for the budget watch's
// next pass over undelivered alerts (every 5 minutes).
export const alerts = proxyActivities<Pick<Alerts, 'deliverAlert' | 'deliverUndeliveredAlerts'>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5s', backoffCoefficient: 3, maximumInterval: '2 minutes', maximumAttempts: 5 },
  summary: 'post an alert to the configured address',
});
