import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COURIERS, WAREHOUSES } from '../../db/logistics/reference-data';
import { api, simGet } from '../support/campaigns';
import { startHarness, waitUntil, type Harness } from '../support/harness';

/**
 * A few hundred orders through faulty partners, with the worker killed outright in the middle:
 * the BSS fails 30% of calls and hangs on 5%, the courier fails 30% of deliveries and sends every
 * webhook twice. Afterwards nothing is lost, doubled or left half-done.
 */
const ORDERS = 200;
const STOCK_PER_WAREHOUSE = 1_000;
const PRICE_AT_DOOR = 50;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    workerProcess: true,
    sims: {
      courier: {
        travelMs: { min: 50, max: 400 },
        mix: { delivered: 0.7, 'customer-absent': 0.12, 'wrong-address': 0.08, refused: 0.05, 'courier-lost': 0.05 },
        faults: { duplicateWebhookRate: 1, errorRate: 0.05 },
      },
      bss: { faults: { errorRate: 0.3, timeoutRate: 0.05, timeoutMs: 3_000 } },
      dialer: { followupReachRate: 1, complaintRate: 0 },
    },
  });
});
afterAll(async () => { await h?.close(); });

describe('orders through faulty partners and a worker crash', () => {
  it('loses, doubles and leaves half-done nothing', { timeout: 900_000 }, async () => {
    const run = randomUUID().slice(0, 8);
    const sku = `rel-${run}`;
    for (const w of WAREHOUSES) {
      expect((await api(h, 'POST', `/warehouses/${w.code}/receipts`, { reference: `${sku}-${w.code}`, sku, qty: STOCK_PER_WAREHOUSE })).status).toBe(200);
    }
    const order = (n: number) => ({
      customerId: 1 + n,
      offer: { code: 'rel-bundle', name: 'Reliability bundle', price: 30, ships: [{ sku, qty: 1 }], collect: { method: 'cash-on-delivery', amount: PRICE_AT_DOOR } },
      orders: { followUpDelaySeconds: 2, deliveryRetryDelaySeconds: 1, followUpMaxAttempts: 1, followUpRetryDelaySeconds: 0, followUpWindow: { start: '00:00', end: '24:00' } },
    });
    const key = (n: number) => `rel-${run}-${n}`;
    // Every order is sent twice, as a client retrying after a timeout would.
    for (let from = 0; from < ORDERS; from += 20) {
      await Promise.all(Array.from({ length: Math.min(20, ORDERS - from) }, async (_, i) => {
        for (let copy = 0; copy < 2; copy++) {
          const res = await api(h, 'POST', '/orders', order(from + i), { 'idempotency-key': key(from + i) });
          expect([200, 201]).toContain(res.status);
        }
      }));
    }
    const ours = `id LIKE 'api-rel-${run}-%'`;

    // Mid-run, the worker dies without a chance to finish anything, and a new one takes over.
    await waitUntil('a quarter of the orders delivered', async () => {
      const { rows: [r] } = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE ${ours} AND delivered_at IS NOT NULL`);
      return r!.n >= ORDERS / 4 ? true : undefined;
    }, { timeoutMs: 180_000, intervalMs: 500 });
    await h.killWorker();

    // Every order ends, or waits for a scheduler. (An activity the killed worker was running is
    // retried once its start-to-close timeout has passed: up to 6 minutes for a follow-up call.)
    const settled = await waitUntil('every order closed or held', async () => {
      const { rows } = await h.db.query<{ status: string; stage: string; n: number }>(
        `SELECT status, stage, count(*)::int AS n FROM orders WHERE ${ours} GROUP BY status, stage`);
      const open = rows.filter((r) => !(r.status === 'held' || r.stage === 'done')).reduce((t, r) => t + r.n, 0);
      return open === 0 ? rows : undefined;
    }, { timeoutMs: 600_000, intervalMs: 1_000 });
    const byStatus = new Map<string, number>();
    for (const r of settled) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + r.n);

    // Nothing lost or doubled: one order row and one workflow per key.
    expect([...byStatus.values()].reduce((a, b) => a + b, 0)).toBe(ORDERS);
    expect((await h.db.query(`SELECT count(DISTINCT idempotency_key)::int AS n FROM orders WHERE ${ours}`)).rows[0]).toEqual({ n: ORDERS });
    const listed = async (query: string) => {
      const ids: string[] = [];
      for await (const wf of h.client.workflow.list({ query: `WorkflowId STARTS_WITH 'order-api-rel-${run}-'${query}` })) ids.push(wf.workflowId);
      return ids;
    };
    const all = await listed('');
    expect(all).toHaveLength(ORDERS);
    expect(new Set(all).size).toBe(ORDERS);

    // Temporal visibility and Postgres agree on every status (visibility is eventually consistent).
    await waitUntil('visibility to agree with Postgres', async () => {
      for (const status of ['completed', 'held', 'cancelled', 'failed']) {
        if ((await listed(` AND OrderStatus = '${status}'`)).length !== (byStatus.get(status) ?? 0)) return undefined;
      }
      return true;
    }, { timeoutMs: 60_000, intervalMs: 1_000 });

    // The dispatchers' work queue shows every order held after failed deliveries.
    const queue = await api(h, 'GET', '/deliveries?limit=1000');
    expect(queue.status).toBe(200);
    const queued = queue.body.deliveries.filter((d: { orderId: string }) => d.orderId.startsWith(`api-rel-${run}-`));
    expect(queued.length).toBe(byStatus.get('held') ?? 0);

    // At most one activation per order in the BSS, and each activated order was activated there.
    const bss = await simGet(`${h.sims.bssUrl}/stats`);
    expect(bss.maxCountPerKey).toBeLessThanOrEqual(1);
    const { rows: activated } = await h.db.query<{ id: string }>(`SELECT id FROM orders WHERE ${ours} AND activated_at IS NOT NULL`);
    expect(activated.length).toBe(byStatus.get('completed') ?? 0);
    for (const o of activated.slice(0, 25)) expect((await simGet(`${h.sims.bssUrl}/activations/${o.id}`)).count).toBe(1);

    // Stock: every unit is free, reserved or shipped; shipped ones went to delivered orders,
    // reserved ones belong to orders waiting for a scheduler.
    const { rows: [stock] } = await h.db.query<{ total: number; reserved: number; shipped: number }>(
      `SELECT sum(on_hand + reserved + shipped)::int AS total, sum(reserved)::int AS reserved, sum(shipped)::int AS shipped FROM stock WHERE sku = $1`, [sku]);
    expect(stock!.total).toBe(STOCK_PER_WAREHOUSE * WAREHOUSES.length);
    const { rows: [res] } = await h.db.query<{ reserved: number; shipped: number }>(
      `SELECT count(*) FILTER (WHERE state = 'reserved')::int AS reserved, count(*) FILTER (WHERE state = 'shipped')::int AS shipped
         FROM stock_reservations WHERE sku = $1`, [sku]);
    expect(res).toEqual({ reserved: stock!.reserved, shipped: stock!.shipped });
    const { rows: [delivered] } = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE ${ours} AND delivered_at IS NOT NULL`);
    expect(stock!.shipped).toBe(delivered!.n);
    expect(stock!.reserved).toBeLessThanOrEqual(byStatus.get('held') ?? 0);

    // Money: what we booked per courier is what each courier says it collected.
    const courier = await simGet(`${h.sims.courierUrl}/stats`);
    expect(courier.duplicatesSent).toBeGreaterThan(0);
    for (const c of COURIERS) {
      const { rows: [paid] } = await h.db.query<{ amount: string | null; n: number }>(
        `SELECT sum(amount) AS amount, count(*)::int AS n FROM payments
          WHERE kind = 'collection' AND courier = $1 AND order_id IN (SELECT id FROM orders WHERE ${ours})`, [c.code]);
      expect(Number(paid!.amount ?? 0), `collected by ${c.code}`).toBe(courier.collectedByCourier[c.code] ?? 0);
    }
    const { rows: [money] } = await h.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM payments WHERE kind = 'collection' AND order_id IN (SELECT id FROM orders WHERE ${ours})`);
    expect(money!.n).toBe(delivered!.n);
  });
});
