import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../../infra/db';
import type { Month } from '../../domain/sales-points/month';
import { ImportNotOfMonth, MonthClosed, MonthNotReconciled, type RunTotals } from '../../domain/sales-points/reconciliation';
import { closeMonth, reconcileMonth } from '../../db/sales-points/reconcile-sql';
import { whileHeartbeating } from '../heartbeat';

/** A refusal no retry changes (the month closed, nothing to approve, an import of another month): non-retryable, its type the error's. */
function refusal(err: unknown): unknown {
  if (err instanceof MonthClosed || err instanceof MonthNotReconciled || err instanceof ImportNotOfMonth) {
    return ApplicationFailure.nonRetryable(err.message, err.type);
  }
  return err;
}

/**
 * The month-end reconciliation's activities: ids and months in, totals out (no names or numbers
 * in the payloads). Both are idempotent: a retry replaces the run's own rows, or finds the month closed.
 */
export function createReconciliationActivities(deps: { db: Db; timeZone: string }) {
  return {
    async reconcileSalesMonth(month: Month, importId: number): Promise<RunTotals> {
      try {
        return await whileHeartbeating(() => reconcileMonth(deps.db, month, { importId, timeZone: deps.timeZone }));
      } catch (err) {
        throw refusal(err);
      }
    },
    async closeSalesMonth(month: Month, approvedBy: string): Promise<void> {
      try {
        await whileHeartbeating(() => closeMonth(deps.db, month, approvedBy));
      } catch (err) {
        throw refusal(err);
      }
    },
  };
}
