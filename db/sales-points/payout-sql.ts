import type { Queryable } from '../queryable';
import { monthStart, type Month } from '../../domain/sales-points/month';
import { fromCents, payoutYuan, toCents } from '../../domain/sales-points/reconciliation';

export interface PayoutLine { staffId: string; name: string; bankAccountRef: string | null; points: number; amountYuan: number }

/**
 * A closed month's payout: every staff member with a ledger row in the month, their total points
 * and the yuan they are paid at the run's rate (`yuanPerPoint`, as the run snapshotted it). A
 * total of zero or less is listed with amount 0 (see docs/sales-points.md on negative balances).
 */
export async function readPayout(q: Queryable, month: Month, yuanPerPoint: number): Promise<PayoutLine[]> {
  const { rows } = await q.query<{ id: string; name: string; bank_account_ref: string | null; points: string }>(
    `SELECT s.id, s.name, s.bank_account_ref, sum(l.points)::text AS points
       FROM points_ledger l JOIN staff s ON s.id = l.staff_id
      WHERE l.month = $1::date GROUP BY s.id ORDER BY s.id`, [monthStart(month)]);
  return rows.map((r) => {
    const points = fromCents(toCents(r.points));
    return { staffId: r.id, name: r.name, bankAccountRef: r.bank_account_ref, points, amountYuan: payoutYuan(points, yuanPerPoint) };
  });
}
