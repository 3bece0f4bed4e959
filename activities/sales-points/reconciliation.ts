import type { Db } from '../../infra/db';
import { monthStart, type Month } from '../../domain/sales-points/month';
import type { RunTotals } from '../../domain/sales-points/reconciliation';

// STAND-IN (helper D): replaced at merge by the reconciliation's activities.

const FIXED_TOTALS: RunTotals = { entries: 3, matched: 2, unmatched: 1, awaitingUsage: 0, staff: 2, points: 50 };

export function createReconciliationActivities(deps: { db: Db; timeZone: string }) {
  return {
    /** Writes the month's run row as reconciled with fixed totals. */
    async reconcileSalesMonth(month: Month, importId: number): Promise<RunTotals> {
      await deps.db.query(
        `INSERT INTO sales_point_runs (month, status, import_id, totals, reconciled_at) VALUES ($1::date, 'reconciled', $2, $3, now())
         ON CONFLICT (month) DO UPDATE SET status = 'reconciled', import_id = $2, totals = $3, reconciled_at = now()
           WHERE sales_point_runs.status <> 'closed'`, [monthStart(month), importId, FIXED_TOTALS]);
      return FIXED_TOTALS;
    },
    /** Closes the month: nothing of it changes again. */
    async closeSalesMonth(month: Month, approvedBy: string): Promise<void> {
      await deps.db.query(
        `UPDATE sales_point_runs SET status = 'closed', approved_by = $2, approved_at = now() WHERE month = $1::date AND status <> 'closed'`,
        [monthStart(month), approvedBy]);
    },
  };
}
