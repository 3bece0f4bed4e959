import type { Db } from '../../infra/db';
import { inTransaction } from '../../infra/db';
import { addMonths, monthLastDay, monthStart, type Month } from '../../domain/sales-points/month';
import { ImportNotOfMonth, MonthClosed, type RunTotals } from '../../domain/sales-points/reconciliation';
import { matchAndCredit } from './matching-sql';
import { applyBudgets, nextMonthIsClosed } from './budget-sql';
import { ledgerTotals, lockMonth, runStatus } from './run-sql';

export { closeMonth } from './run-sql';

/** Memory for each sort or hash of the run (Postgres's default, 4 MB, spills a month's sales to disk). */
const RECONCILE_WORK_MEM = '64MB';

/**
 * A month's reconciliation (docs/sales-points.md, "The month-end reconciliation"), in one
 * transaction under the month's lock: billing's import `importId` (of this month) against the
 * month's sales; matches, sales, usage credits, clawbacks, complaints and the budgets' rows written
 * in place of what an earlier run of the month wrote, so running it again gives the same rows and
 * totals for the same inputs. A closed month is refused (MonthClosed).
 */
export async function reconcileMonth(db: Db, month: Month, opts: { importId: number; timeZone: string }): Promise<RunTotals> {
  return inTransaction(db, async (tx) => {
    // The run sorts and hashes a month's sales (200k and more) at once: in memory, not in batches on disk.
    await tx.query(`SET LOCAL work_mem = '${RECONCILE_WORK_MEM}'`);
    // Postgres's JIT compiles a statement over a month's sales for longer than it then runs.
    await tx.query('SET LOCAL jit = off');
    await lockMonth(tx, month);
    // The next month's too (months are always locked in order): the budgets' carry-over writes into
    // it, and it must not close while that happens. And every later open month's, whose runs read
    // this month's rows: one of them reconciled meanwhile would be marked stale after (below) or
    // read what this one commits, never neither.
    await lockMonth(tx, addMonths(month, 1));
    const { rows: later } = await tx.query<{ month: string }>(
      `SELECT to_char(month, 'YYYY-MM') AS month FROM sales_point_runs WHERE month > $1::date AND status <> 'closed' ORDER BY month`,
      [monthStart(addMonths(month, 1))]);
    for (const { month: m } of later) await lockMonth(tx, m);
    if ((await runStatus(tx, month)) === 'closed') throw new MonthClosed(month);
    const { rows: [imp] } = await tx.query<{ month: string }>(`SELECT to_char(month, 'YYYY-MM') AS month FROM billing_imports WHERE id = $1`, [opts.importId]);
    if (imp?.month !== month) throw new ImportNotOfMonth(opts.importId, month, imp?.month);
    // Points this month's run carried into the next month, now closed, cannot be taken back.
    const { rowCount: stuck } = await tx.query(
      `SELECT 1 FROM points_ledger l JOIN sales_point_runs r ON r.month = l.month AND r.status = 'closed'
        WHERE l.month = ($1::date + interval '1 month')::date AND l.run_month = $1::date LIMIT 1`,
      [monthStart(month)]);
    if (stuck) throw new MonthClosed(addMonths(month, 1), `${month}'s run carried points into it, so ${month} cannot be run again`);

    const { rows: [settings] } = await tx.query<{ snapshot: Record<string, unknown>; complaint_points: string; usage_wait_months: number; clawback_months: number }>(
      `SELECT to_jsonb(s) - 'id' AS snapshot, complaint_points::text, usage_wait_months, clawback_months FROM sales_points_settings s`);
    // A run writes into its month, and carries into the next one (budget-sql.ts): found by the month's BRIN index.
    await tx.query(`DELETE FROM points_ledger WHERE month IN ($1::date, ($1::date + interval '1 month')::date) AND run_month = $1::date`, [monthStart(month)]);
    await tx.query(`DELETE FROM sales_matches WHERE month = $1::date`, [monthStart(month)]);

    const sales = await matchAndCredit(tx, {
      month: monthStart(month), import: opts.importId, tz: opts.timeZone, end: monthLastDay(month),
      wait: settings!.usage_wait_months, claw: settings!.clawback_months, complaint: settings!.complaint_points,
    });
    const budgetsOver = await applyBudgets(tx, month, await nextMonthIsClosed(tx, month));
    const totals: RunTotals = {
      month, importId: opts.importId, ...sales, ...(await ledgerTotals(tx, month)), budgetsOver,
    };
    await tx.query(
      `INSERT INTO sales_point_runs (month, status, import_id, settings, totals, reconciled_at)
       VALUES ($1::date, 'reconciled', $2, $3, $4, now())
       ON CONFLICT (month) DO UPDATE SET status = 'reconciled', import_id = EXCLUDED.import_id, settings = EXCLUDED.settings,
         totals = EXCLUDED.totals, reconciled_at = EXCLUDED.reconciled_at, stale_because = NULL`,
      [monthStart(month), opts.importId, JSON.stringify(settings!.snapshot), JSON.stringify(totals)]);
    // The later open months read what this run changed: stale until they are reconciled again.
    await tx.query(
      `UPDATE sales_point_runs SET stale_because = least(coalesce(stale_because, $1::date), $1::date)
        WHERE month > $1::date AND status <> 'closed'`, [monthStart(month)]);
    return totals;
  });
}
