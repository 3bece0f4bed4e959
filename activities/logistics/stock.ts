import { ApplicationFailure } from '@temporalio/activity';
import type pg from 'pg';
import type { Db } from '../../infra/db';
import { inTransaction } from '../../infra/db';
import { shortItems } from '../../domain/logistics/stock';

export interface StockItem {
  sku: string;
  qty: number;
}

export type Reservation =
  | { reserved: true; warehouse: string }
  | { reserved: false; warehouse: string; short: { sku: string; wanted: number; onHand: number }[] };

/** The settlement day of a payment: couriers settle by the day in China time. */
const BUSINESS_DATE = `(now() AT TIME ZONE 'Asia/Shanghai')::date`;

/** What became of an order's reservation when its address moved to another region. */
export type ReservationMove =
  | { moved: false; warehouse?: string; reason?: string }
  | { moved: true; from: string; warehouse: string };

/**
 * The order's address moved to another region: its reservation (goods not shipped yet) moves to
 * the warehouse that serves the new region, all items or none, when that warehouse has them; else
 * it stays where it is and the goods travel from there. Run in the transaction that changed the
 * order's region; a repeat finds the reservation already moved and does nothing.
 */
export async function followRegion(tx: pg.PoolClient, orderId: string): Promise<ReservationMove> {
  const { rows: held } = await tx.query<{ sku: string; qty: number; warehouse: string; target: string | null }>(
    `SELECT r.sku, r.qty, r.warehouse, rl.warehouse AS target
       FROM stock_reservations r JOIN orders o ON o.id = r.order_id LEFT JOIN region_logistics rl ON rl.region = o.region
      WHERE r.order_id = $1 AND r.state = 'reserved' ORDER BY r.sku`, [orderId]);
  const from = held[0]?.warehouse;
  const to = held[0]?.target;
  if (!from || !to || from === to) return { moved: false, ...(from ? { warehouse: from } : {}) };
  // Both warehouses' rows locked in one order (warehouse, then item), as everywhere else.
  const { rows: levels } = await tx.query<{ warehouse: string; sku: string; on_hand: number }>(
    `SELECT warehouse, sku, on_hand FROM stock WHERE warehouse = ANY($1::text[]) AND sku = ANY($2::text[])
      ORDER BY warehouse, sku FOR UPDATE`, [[from, to], held.map((r) => r.sku)]);
  const onHand = new Map(levels.filter((l) => l.warehouse === to).map((l) => [l.sku, l.on_hand]));
  const short = held.filter((r) => (onHand.get(r.sku) ?? 0) < r.qty);
  if (short.length) return { moved: false, warehouse: from, reason: `${to} is short of ${short.map((r) => r.sku).join(', ')}` };
  for (const r of held) {
    await tx.query('UPDATE stock SET reserved = reserved - $3, on_hand = on_hand + $3 WHERE warehouse = $1 AND sku = $2', [from, r.sku, r.qty]);
    await tx.query('UPDATE stock SET on_hand = on_hand - $3, reserved = reserved + $3 WHERE warehouse = $1 AND sku = $2', [to, r.sku, r.qty]);
  }
  await tx.query(`UPDATE stock_reservations SET warehouse = $2, updated_at = now() WHERE order_id = $1 AND state = 'reserved'`, [orderId, to]);
  await tx.query('UPDATE orders SET warehouse = $2 WHERE id = $1', [orderId, to]);
  return { moved: true, from, warehouse: to };
}

/**
 * Stock and money around an order, each step one transaction keyed by the order (or the delivery),
 * so a retried activity changes nothing the second time. The stock row's counters always add up:
 * on_hand + reserved + shipped = received (a CHECK in the table).
 */
export function createStockActivities(deps: { db: Db }) {
  const { db } = deps;

  /** Moves an order's reservation rows from one state to another, and the warehouse counters with them. */
  async function moveReservation(tx: pg.PoolClient, orderId: string, from: 'reserved' | 'shipped', to: 'released' | 'shipped'): Promise<number> {
    const { rows } = await tx.query<{ warehouse: string; sku: string; qty: number }>(
      `UPDATE stock_reservations SET state = $3, updated_at = now()
        WHERE order_id = $1 AND state = $2 RETURNING warehouse, sku, qty`, [orderId, from, to]);
    // Stock rows locked in one order (by item, as reserveStock does), so concurrent orders cannot deadlock.
    rows.sort((a, b) => a.warehouse.localeCompare(b.warehouse) || a.sku.localeCompare(b.sku));
    for (const r of rows) {
      await tx.query(
        to === 'released'
          ? 'UPDATE stock SET reserved = reserved - $3, on_hand = on_hand + $3 WHERE warehouse = $1 AND sku = $2'
          : 'UPDATE stock SET reserved = reserved - $3, shipped = shipped + $3 WHERE warehouse = $1 AND sku = $2',
        [r.warehouse, r.sku, r.qty]);
    }
    return rows.length;
  }

  return {
    /**
     * Reserves what the order ships from the warehouse of its region: all items or none. Out of
     * stock is an answer, not a failure (the order waits for stock). A repeat finds the rows it
     * made and answers the same.
     */
    async reserveStock(input: { orderId: string; items: StockItem[]; region?: string }): Promise<Reservation> {
      return inTransaction(db, async (tx) => {
        // A scheduler moved the order to another region while it waited for stock: ask there.
        if (input.region) await tx.query('UPDATE orders SET region = $2 WHERE id = $1', [input.orderId, input.region]);
        // The order row locked first: two overlapping attempts for one order take turns, and the
        // second finds the first's reservation instead of reserving again.
        const { rows: [order] } = await tx.query<{ warehouse: string | null }>(
          `SELECT rl.warehouse FROM orders o LEFT JOIN region_logistics rl ON rl.region = o.region WHERE o.id = $1 FOR UPDATE OF o`, [input.orderId]);
        if (!order) throw ApplicationFailure.nonRetryable(`order ${input.orderId} not found`, 'UnknownOrder');
        if (!order.warehouse) throw ApplicationFailure.nonRetryable(`order ${input.orderId}: no warehouse ships to its region`, 'NoWarehouse');
        const { rows: held } = await tx.query<{ warehouse: string }>(
          `SELECT warehouse FROM stock_reservations WHERE order_id = $1 AND state IN ('reserved', 'shipped')`, [input.orderId]);
        if (held.length) {
          await tx.query('DELETE FROM stock_shortages WHERE order_id = $1', [input.orderId]);
          return { reserved: true, warehouse: held[0]!.warehouse };
        }
        const warehouse = order.warehouse;
        // Locked in a fixed order (by sku), so two orders reserving the same items cannot deadlock.
        const items = [...input.items].sort((a, b) => a.sku.localeCompare(b.sku));
        const { rows: levels } = await tx.query<{ sku: string; on_hand: number }>(
          `SELECT sku, on_hand FROM stock WHERE warehouse = $1 AND sku = ANY($2::text[]) ORDER BY sku FOR UPDATE`,
          [warehouse, items.map((i) => i.sku)]);
        const onHand = new Map(levels.map((l) => [l.sku, l.on_hand]));
        const short = shortItems(items, onHand);
        if (short.length) {
          await tx.query(`UPDATE orders SET warehouse = $2 WHERE id = $1`, [input.orderId, warehouse]);
          // What it waits for, since it first waited for that item there (a look again keeps the time).
          await tx.query(
            `DELETE FROM stock_shortages WHERE order_id = $1 AND NOT (warehouse = $2 AND sku = ANY($3::text[]))`,
            [input.orderId, warehouse, short.map((i) => i.sku)]);
          await tx.query(
            `INSERT INTO stock_shortages (order_id, sku, warehouse, wanted)
             SELECT $1, u.sku, $2, u.qty FROM unnest($3::text[], $4::int[]) AS u(sku, qty)
             ON CONFLICT (order_id, sku) DO UPDATE SET wanted = EXCLUDED.wanted`,
            [input.orderId, warehouse, short.map((i) => i.sku), short.map((i) => i.wanted)]);
          return { reserved: false, warehouse, short };
        }
        for (const i of items) {
          await tx.query('UPDATE stock SET on_hand = on_hand - $3, reserved = reserved + $3 WHERE warehouse = $1 AND sku = $2', [warehouse, i.sku, i.qty]);
        }
        await tx.query(
          `INSERT INTO stock_reservations (order_id, sku, warehouse, qty, state)
           SELECT $1, u.sku, $2, u.qty, 'reserved' FROM unnest($3::text[], $4::int[]) AS u(sku, qty)
           ON CONFLICT (order_id, sku) DO UPDATE SET state = 'reserved', warehouse = EXCLUDED.warehouse, qty = EXCLUDED.qty, updated_at = now()`,
          [input.orderId, warehouse, items.map((i) => i.sku), items.map((i) => i.qty)]);
        await tx.query(`UPDATE orders SET warehouse = $2 WHERE id = $1`, [input.orderId, warehouse]);
        await tx.query('DELETE FROM stock_shortages WHERE order_id = $1', [input.orderId]);
        return { reserved: true, warehouse };
      });
    },

    /** Gives back what the order reserved, or stops waiting for stock (cancelled or failed before delivery). */
    async releaseStock(input: { orderId: string }): Promise<{ released: number }> {
      return inTransaction(db, async (tx) => {
        await tx.query('DELETE FROM stock_shortages WHERE order_id = $1', [input.orderId]); // it waits for nothing any more
        return { released: await moveReservation(tx, input.orderId, 'reserved', 'released') };
      });
    },

    /**
     * The courier delivered: the reserved goods are shipped, and money taken at the door is booked
     * against the courier for the day's settlement (the delivery's id keys the payment).
     */
    async recordDelivered(input: { orderId: string; deliveryId: string; amountCollected?: number; method?: string }): Promise<void> {
      await inTransaction(db, async (tx) => {
        await moveReservation(tx, input.orderId, 'reserved', 'shipped');
        if (input.amountCollected !== undefined && input.amountCollected > 0) {
          await tx.query(
            `INSERT INTO payments (id, order_id, kind, method, amount, courier, business_date)
             SELECT $1, $2, 'collection', $3, $4, d.courier, ${BUSINESS_DATE} FROM deliveries d WHERE d.id = $1
             ON CONFLICT (id) DO NOTHING`,
            [input.deliveryId, input.orderId, input.method ?? 'cash-on-delivery', input.amountCollected]);
        }
      });
    },

    /** Books a refund of everything collected for the order, once; answers the amount. */
    async bookRefund(input: { orderId: string }): Promise<{ amount: number }> {
      return inTransaction(db, async (tx) => {
        const { rows: [paid] } = await tx.query<{ amount: string | null; method: string | null; courier: string | null }>(
          `SELECT sum(amount) AS amount, min(method) AS method, min(courier) AS courier FROM payments WHERE order_id = $1 AND kind = 'collection'`,
          [input.orderId]);
        const amount = Number(paid?.amount ?? 0);
        if (amount <= 0) return { amount: 0 };
        await tx.query(
          `INSERT INTO payments (id, order_id, kind, method, amount, courier, business_date)
           VALUES ($1 || '-refund', $1, 'refund', $2, $3, $4, ${BUSINESS_DATE}) ON CONFLICT (id) DO NOTHING`,
          [input.orderId, paid!.method, amount, paid!.courier]);
        return { amount };
      });
    },
  };
}
