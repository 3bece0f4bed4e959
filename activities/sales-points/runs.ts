import { ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { inTransaction, type Db } from '../../infra/db';
import { lockMonth } from '../../db/sales-points/month-lock';
import { monthStart, type Month } from '../../domain/sales-points/month';
import { APPROVAL_ALERT_KIND } from '../../domain/sales-points/run';
import { raiseAlert } from '../../db/alerts/alerts-sql';
import { latestImport } from '../../db/sales-points/billing-import';
import type { StartedRun } from '../../workflows/sales-points/messages';
import { startSalesPointsRun } from './start-run';

/** The month-end run's own bookkeeping: its row, its settings, the import it uses, its escalations. */
export function createRunActivities(deps: { db: Db; client: Client; taskQueue: string }) {
  const { db } = deps;
  return {
    /**
     * The run's row, status 'importing' (again, on a recompute), and the settings it waits with.
     * A closed month is refused: it never changes again.
     */
    async beginSalesPointsRun(month: Month): Promise<{ escalateAfterSeconds: number }> {
      // The cut-off: under the month's lock, so a sale being recorded now commits first (its
      // reconciliation sees it) or finds the run begun (db/sales-points/month-lock.ts).
      const rows = await inTransaction(db, async (tx) => {
        await lockMonth(tx, month);
        return (await tx.query<{ status: string }>(
          `INSERT INTO sales_point_runs (month, status) VALUES ($1::date, 'importing')
           ON CONFLICT (month) DO UPDATE SET status = 'importing' WHERE sales_point_runs.status <> 'closed'
           RETURNING status`, [monthStart(month)])).rows;
      });
      if (!rows[0]) throw ApplicationFailure.nonRetryable(`sales points month ${month} is closed`, 'MonthClosed');
      const { rows: settings } = await db.query<{ approval_escalate_after_seconds: number }>(
        'SELECT approval_escalate_after_seconds FROM sales_points_settings');
      return { escalateAfterSeconds: settings[0]?.approval_escalate_after_seconds ?? 259_200 };
    },

    /**
     * The billing import a person uploaded for the month, if the month's latest import is one: a
     * file dropped by hand is deliberate (a corrected list) and wins over asking the BSS again.
     */
    async findUploadedImport(month: Month): Promise<{ importId: number; rows: number } | null> {
      const latest = await latestImport(db, month);
      return latest?.source === 'upload' ? { importId: latest.importId, rows: latest.rows } : null;
    },

    /**
     * The earlier month reconciled after this month's last pass, if one was (its figures may be out
     * of date: db/sales-points/reconcile-sql.ts marks them), else null.
     */
    async salesPointsRunStaleness(month: Month): Promise<{ because: Month | null }> {
      const { rows: [r] } = await db.query<{ because: string | null }>(
        `SELECT to_char(stale_because, 'YYYY-MM') AS because FROM sales_point_runs WHERE month = $1::date`, [monthStart(month)]);
      return { because: r?.because ?? null };
    },

    /**
     * A pass that failed for good (a refused file, a month that cannot be run again) left the run's
     * row 'importing': it is 'reconciled' again, with the figures of the pass before (which it
     * never replaced), so finance can still approve them.
     */
    async resumeReconciledRun(month: Month): Promise<void> {
      await db.query(
        `UPDATE sales_point_runs SET status = 'reconciled' WHERE month = $1::date AND status = 'importing' AND reconciled_at IS NOT NULL`,
        [monthStart(month)]);
    },

    /** Raises the month's approval alert of this level (once) and notes the first escalation on the run. */
    async escalateSalesPointsRun(input: { month: Month; level: string; message: string }): Promise<{ alertId: number; raised: boolean }> {
      const { id, raised } = await raiseAlert(db, { kind: APPROVAL_ALERT_KIND, subject: input.month, level: input.level, message: input.message });
      await db.query('UPDATE sales_point_runs SET escalated_at = COALESCE(escalated_at, now()) WHERE month = $1::date', [monthStart(input.month)]);
      return { alertId: id, raised };
    },

    /** The Schedule's step: starts the month's run, or finds the one a person started. */
    async startMonthsRun(month: Month): Promise<StartedRun> {
      return startSalesPointsRun(deps.client, deps.taskQueue, month);
    },
  };
}
