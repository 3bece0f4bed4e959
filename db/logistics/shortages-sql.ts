import type { Queryable } from '../queryable';
import { missingStock } from '../../domain/logistics/stock';

/** Backorders of one item at one warehouse: the orders held for it and what they want together. */
export interface Shortage {
  warehouse: string;
  sku: string;
  orders: number;
  wanted: number;
  /** Free to reserve now, and what is still missing to serve them all. */
  onHand: number;
  missing: number;
  /** Since when the longest-waiting of them waits. */
  waitingSince: Date;
}

/**
 * The backorders per warehouse and item, the longest waiting first (GET /stock/shortages, the
 * dashboard). Only orders still held out of stock count: a row an order left behind (say,
 * terminated by hand in the Temporal UI) is not demand.
 */
export async function readShortages(db: Queryable, filter: { warehouse?: string; sku?: string } = {}): Promise<Shortage[]> {
  const { rows } = await db.query<{ warehouse: string; sku: string; orders: string; wanted: string; on_hand: number; since: Date }>(
    `SELECT s.warehouse, s.sku, count(*) AS orders, sum(s.wanted) AS wanted, COALESCE(st.on_hand, 0) AS on_hand, min(s.since) AS since
       FROM stock_shortages s
       JOIN orders o ON o.id = s.order_id AND o.status = 'held' AND o.hold_reason = 'out-of-stock'
       LEFT JOIN stock st ON st.warehouse = s.warehouse AND st.sku = s.sku
      WHERE ($1::text IS NULL OR s.warehouse = $1) AND ($2::text IS NULL OR s.sku = $2)
      GROUP BY s.warehouse, s.sku, st.on_hand ORDER BY min(s.since), s.warehouse, s.sku`,
    [filter.warehouse ?? null, filter.sku ?? null]);
  return rows.map((r) => ({
    warehouse: r.warehouse, sku: r.sku, orders: Number(r.orders), wanted: Number(r.wanted),
    onHand: r.on_hand, missing: missingStock(Number(r.wanted), r.on_hand), waitingSince: r.since,
  }));
}
