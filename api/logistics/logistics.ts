import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { WorkflowNotFoundError } from '@temporalio/client';
import { orderWorkflowId } from '../../domain/order/ids';
import { readShortages } from '../../db/logistics/shortages-sql';
import { settleCourierDay } from '../../domain/logistics/settlement';
import { inTransaction } from '../../infra/db';
import { stockArrivedSignal } from '../../workflows/order/messages';
import type { AppDeps } from '../deps';
import { conflict, ErrorBody, notFound } from '../errors';
import { IsoDateSchema } from '../../domain/datetime';
import { text } from '../../domain/text';

const Code = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes');
const StockLevel = z.object({
  warehouse: z.string(), sku: z.string(),
  /** Free to reserve. */
  onHand: z.number(), reserved: z.number(), shipped: z.number(),
  /** Everything ever received: onHand + reserved + shipped. */
  received: z.number(),
});
type StockRow = { warehouse: string; sku: string; on_hand: number; reserved: number; shipped: number; received: number };
const toLevel = (r: StockRow) => ({ warehouse: r.warehouse, sku: r.sku, onHand: r.on_hand, reserved: r.reserved, shipped: r.shipped, received: r.received });
const Money = z.object({ count: z.number(), amount: z.number() });

/**
 * Warehouses and couriers: stock levels, goods received (which wakes orders waiting for stock),
 * and a courier's daily settlement of the money collected at the door.
 */
export const logisticsRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const { db, client } = deps;

  app.get('/stock', {
    config: { roles: ['logistics'] },
    schema: {
      tags: ['logistics'],
      summary: 'Stock per warehouse and item: free, reserved for orders, shipped',
      querystring: z.strictObject({ warehouse: Code.optional(), sku: Code.optional() }),
      response: { 200: z.object({ stock: z.array(StockLevel) }) },
    },
  }, async (request) => {
    const { warehouse, sku } = request.query;
    const { rows } = await db.query<StockRow>(
      `SELECT warehouse, sku, on_hand, reserved, shipped, received FROM stock
        WHERE ($1::text IS NULL OR warehouse = $1) AND ($2::text IS NULL OR sku = $2) ORDER BY warehouse, sku`,
      [warehouse ?? null, sku ?? null]);
    return { stock: rows.map(toLevel) };
  });

  app.get('/stock/shortages', {
    config: { roles: ['logistics'] },
    schema: {
      tags: ['logistics'],
      summary: 'Backorders: items orders are held for, per warehouse, the longest waiting first',
      querystring: z.strictObject({ warehouse: Code.optional(), sku: Code.optional() }),
      response: {
        200: z.object({
          shortages: z.array(z.object({
            warehouse: z.string(), sku: z.string(),
            /** Orders held for this item here, and how many of it they want together. */
            orders: z.number(), wanted: z.number(),
            /** Free to reserve now, and what is still missing to serve them all. */
            onHand: z.number(), missing: z.number(),
            /** Since when the longest-waiting of them waits. */
            waitingSince: z.string(),
          })),
        }),
      },
    },
  }, async (request) => {
    const shortages = await readShortages(db, request.query);
    return { shortages: shortages.map((s) => ({ ...s, waitingSince: s.waitingSince.toISOString() })) };
  });

  app.post('/warehouses/:code/receipts', {
    config: { roles: ['logistics'] },
    schema: {
      tags: ['logistics'],
      summary: 'Goods received into a warehouse (once per delivery note); orders waiting for stock there look again',
      params: z.strictObject({ code: Code }),
      body: z.strictObject({
        /** The delivery note: a receipt repeated with the same reference counts once. */
        reference: text(1, 100),
        sku: Code,
        qty: z.number().int().min(1).max(1_000_000),
      }),
      response: {
        200: StockLevel.extend({ duplicate: z.boolean(), ordersNotified: z.number() }),
        409: ErrorBody.describe('the delivery note was booked with another warehouse, sku or quantity'),
      },
    },
  }, async (request) => {
    const { code } = request.params;
    const { reference, sku, qty } = request.body;
    const { level, duplicate } = await inTransaction(db, async (tx) => {
      const { rows: [wh] } = await tx.query('SELECT 1 FROM warehouses WHERE code = $1', [code]);
      if (!wh) throw notFound(`warehouse '${code}'`);
      const inserted = await tx.query(
        'INSERT INTO stock_receipts (reference, warehouse, sku, qty) VALUES ($1, $2, $3, $4) ON CONFLICT (reference) DO NOTHING',
        [reference, code, sku, qty]);
      if (!inserted.rowCount) {
        const { rows: [first] } = await tx.query<{ warehouse: string; sku: string; qty: number }>(
          'SELECT warehouse, sku, qty FROM stock_receipts WHERE reference = $1', [reference]);
        if (first && (first.warehouse !== code || first.sku !== sku || first.qty !== qty)) {
          throw conflict(`delivery note '${reference}' was booked as ${first.qty} × ${first.sku} into ${first.warehouse}`);
        }
      }
      if (inserted.rowCount) {
        await tx.query(
          `INSERT INTO stock (warehouse, sku, on_hand, received) VALUES ($1, $2, $3, $3)
           ON CONFLICT (warehouse, sku) DO UPDATE SET on_hand = stock.on_hand + $3, received = stock.received + $3`,
          [code, sku, qty]);
      }
      const { rows: [row] } = await tx.query<StockRow>(
        'SELECT warehouse, sku, on_hand, reserved, shipped, received FROM stock WHERE warehouse = $1 AND sku = $2', [code, sku]);
      return { level: row!, duplicate: !inserted.rowCount };
    });
    // Orders held for stock at this warehouse look again (each also looks by itself every few minutes).
    const { rows: waiting } = await db.query<{ id: string }>(
      `SELECT id FROM orders WHERE status = 'held' AND hold_reason = 'out-of-stock' AND warehouse = $1`, [code]);
    let ordersNotified = 0;
    for (const o of waiting) {
      try {
        await client.workflow.getHandle(orderWorkflowId(o.id)).signal(stockArrivedSignal, { warehouse: code, by: request.actor! });
        ordersNotified++;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }
    return { ...toLevel(level), duplicate, ordersNotified };
  });

  app.get('/couriers/:code/settlement', {
    config: { roles: ['finance'] },
    schema: {
      tags: ['logistics'],
      summary: "A courier's settlement for one day: money collected at the door, refunds, what the courier owes",
      params: z.strictObject({ code: Code }),
      querystring: z.strictObject({
        date: IsoDateSchema,
      }),
      response: {
        200: z.object({
          courier: z.string(), date: z.string(), collected: Money, refunded: Money,
          byMethod: z.record(z.string(), Money),
          /** Collected minus refunded. */
          net: z.number(),
        }),
      },
    },
  }, async (request) => {
    const { code } = request.params;
    const { date } = request.query;
    const { rows: [courier] } = await db.query('SELECT 1 FROM couriers WHERE code = $1', [code]);
    if (!courier) throw notFound(`courier '${code}'`);
    const { rows } = await db.query<{ kind: string; method: string; n: number; amount: string }>(
      `SELECT kind, method, count(*)::int AS n, sum(amount) AS amount FROM payments
        WHERE courier = $1 AND business_date = $2 GROUP BY kind, method`, [code, date]);
    const day = settleCourierDay(rows.map((r) => ({ kind: r.kind, method: r.method, count: r.n, amount: Number(r.amount) })));
    return { courier: code, date, ...day };
  });
};
