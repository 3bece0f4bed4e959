import type { Queryable } from '../queryable';
import type { Db } from '../../infra/db';
import { inTransaction } from '../../infra/db';
import { monthStart, type Month } from '../../domain/sales-points/month';
import {
  LEDGER_KINDS, MonthNotReconciled, fromCents, toCents, type LedgerKind, type RunTotals,
} from '../../domain/sales-points/reconciliation';

import { lockMonth } from './month-lock';

export { lockMonth };

export type RunStatus = 'importing' | 'reconciled' | 'closed';

export async function runStatus(q: Queryable, month: Month): Promise<RunStatus | undefined> {
  const { rows: [run] } = await q.query<{ status: RunStatus }>(`SELECT status FROM sales_point_runs WHERE month = $1::date`, [monthStart(month)]);
  return run?.status;
}

/** The closed months from `from` on, as YYYY-MM. */
export async function closedMonthsFrom(q: Queryable, from: Month): Promise<Set<Month>> {
  const { rows } = await q.query<{ month: string }>(
    `SELECT to_char(month, 'YYYY-MM') AS month FROM sales_point_runs WHERE status = 'closed' AND month >= $1::date`, [monthStart(from)]);
  return new Set(rows.map((r) => r.month));
}

/**
 * Finance's approval: the month is closed and its sales, matches and points never change again
 * (the triggers of migration 025 refuse it). A closed month stays closed; one not reconciled is refused.
 */
export async function closeMonth(db: Db, month: Month, approvedBy: string): Promise<void> {
  await inTransaction(db, async (tx) => {
    await lockMonth(tx, month);
    const status = await runStatus(tx, month);
    if (status === 'closed') return;
    if (status !== 'reconciled') throw new MonthNotReconciled(month);
    await tx.query(
      `UPDATE sales_point_runs SET status = 'closed', approved_by = $2, approved_at = now() WHERE month = $1::date`,
      [monthStart(month), approvedBy]);
  });
}

/** The month's ledger by kind, its total and the staff it pays: the part of a run's totals a later adjustment changes. */
export async function ledgerTotals(q: Queryable, month: Month): Promise<Pick<RunTotals, 'points' | 'totalPoints' | 'staff'>> {
  const { rows } = await q.query<{ kind: LedgerKind; points: string; staff: string }>(
    // by staff and kind first (hashed: a few thousand rows), so the count of staff sorts those, not the month's every row
    `WITH by_staff AS (SELECT staff_id, kind, sum(points) AS points FROM points_ledger WHERE month = $1::date GROUP BY staff_id, kind)
     SELECT kind, sum(points)::text AS points, count(DISTINCT staff_id)::text AS staff FROM by_staff GROUP BY ROLLUP (kind)`,
    [monthStart(month)]);
  const points = Object.fromEntries(LEDGER_KINDS.map((k) => [k, 0])) as Record<LedgerKind, number>;
  let total = 0;
  let staff = 0;
  for (const r of rows) {
    if (r.kind === null) {
      total = toCents(r.points);
      staff = Number(r.staff);
    } else points[r.kind] = fromCents(toCents(r.points));
  }
  return { points, totalPoints: fromCents(total), staff };
}

/** A reconciled (not closed) run's totals brought up to date with its ledger: after a dispute's adjustment lands in it. */
export async function refreshRunPoints(q: Queryable, month: Month): Promise<void> {
  const points = await ledgerTotals(q, month);
  await q.query(
    `UPDATE sales_point_runs SET totals = totals || $2::jsonb WHERE month = $1::date AND status = 'reconciled' AND totals IS NOT NULL`,
    [monthStart(month), JSON.stringify(points)]);
}

export interface RunRow {
  month: Month;
  status: RunStatus;
  importId: number | null;
  yuanPerPoint: number | null;
  totals: RunTotals | null;
  approvedBy: string | null;
  approvedAt: string | null;
}

export async function readRun(q: Queryable, month: Month): Promise<RunRow | undefined> {
  const { rows: [r] } = await q.query<{ month: string; status: RunStatus; import_id: string | null; ypp: string | null; totals: RunTotals | null; approved_by: string | null; approved_at: Date | null }>(
    `SELECT to_char(month, 'YYYY-MM') AS month, status, import_id, settings->>'yuan_per_point' AS ypp, totals, approved_by, approved_at FROM sales_point_runs WHERE month = $1::date`,
    [monthStart(month)]);
  if (!r) return undefined;
  return {
    month: r.month, status: r.status, importId: r.import_id === null ? null : Number(r.import_id),
    yuanPerPoint: r.ypp === null ? null : Number(r.ypp), totals: r.totals, approvedBy: r.approved_by, approvedAt: r.approved_at?.toISOString() ?? null,
  };
}
