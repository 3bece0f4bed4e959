import type { Queryable } from '../queryable';
import type { Month } from '../../domain/sales-points/month';

/** The advisory lock's key of a month ('YYYY-MM' as SQL text): one key, taken exclusive or shared. */
const monthKey = (monthText: string) => `hashtextextended('sales-points-month:' || ${monthText}, 0)`;

/**
 * The lock that serialises everything writing into a month's ledger or closing its books: the
 * run's start (the cut-off), the reconciliation, closing, a dispute's adjustment. Held to the end
 * of the transaction; months are always taken in order.
 */
export async function lockMonth(tx: Queryable, month: Month): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(${monthKey('$1')})`, [month]);
}

/**
 * A sale's side of it: recording sales takes the month's lock shared (sales do not wait for each
 * other), then checks the cut-off. The run's start takes it exclusive to write its row, so a sale
 * either commits before the month's run begins (and its reconciliation sees it) or finds it begun.
 */
export async function shareMonths(tx: Queryable, months: readonly Month[]): Promise<void> {
  for (const month of [...new Set(months)].sort()) await tx.query(`SELECT pg_advisory_xact_lock_shared(${monthKey('$1')})`, [month]);
}

/** shareMonths for an order's sale, its month that of the order's day in the zone ($1 the order, $2 the zone). */
export const SHARE_ORDER_MONTH = `SELECT pg_advisory_xact_lock_shared(${monthKey(`to_char(o.created_at AT TIME ZONE $2, 'YYYY-MM')`)})
  FROM orders o WHERE o.id = $1`;
