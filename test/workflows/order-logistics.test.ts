import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderView } from '../../workflows/order/messages';
import { api, configureSim, simGet } from '../support/campaigns';
import { DELIVER, EVERY_CALL_ACCEPTED, WRONG_ADDRESS, oneCampaignOrder, orderHistory, orderView, waitOrderView } from '../support/orders';
import { startHarness, waitUntil, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  // every sales call is accepted, so each test gets its order quickly
  h = await startHarness({ sims: EVERY_CALL_ACCEPTED });
});
afterAll(async () => { await h?.close(); });


/** An item nobody else stocks, so levels are this test's alone. */
const newSku = () => `t-${randomUUID().slice(0, 8)}`;
const receive = (sku: string, qty: number, warehouse = 'wh-south') =>
  api(h, 'POST', `/warehouses/${warehouse}/receipts`, { reference: `note-${randomUUID()}`, sku, qty });
const level = async (sku: string, warehouse = 'wh-south') =>
  (await api(h, 'GET', `/stock?warehouse=${warehouse}&sku=${sku}`)).body.stock[0];

const oneOrder = (prefix: string, offer?: object, orders?: object) => oneCampaignOrder(h, prefix, offer, orders);
const view = (orderId: string) => orderView(h, orderId);
const waitView = (orderId: string, what: string, ok: (v: OrderView) => boolean) => waitOrderView(h, orderId, what, ok);
const historyOf = (orderId: string) => orderHistory(h, orderId);

describe('order logistics: stock, routing, payment and compensation', () => {
  it("reserves from the region's warehouse, routes to the region's courier, ships on delivery and books the money collected", async () => {
    await configureSim(h.sims.courierUrl, DELIVER);
    const sku = newSku();
    expect((await receive(sku, 5)).body).toMatchObject({ onHand: 5, received: 5, duplicate: false });
    const orderId = await oneOrder('lg-ship', { ships: [{ sku, qty: 1 }], collect: { method: 'cash-on-delivery', amount: 199 } });
    const done = await waitView(orderId, 'done', (v) => v.stage === 'done');
    expect(done).toMatchObject({ status: 'completed', warehouse: 'wh-south', courier: 'sf', collected: 199, compensation: [] });
    expect(await level(sku)).toEqual({ warehouse: 'wh-south', sku, onHand: 4, reserved: 0, shipped: 1, received: 5 });
    const { rows: [pay] } = await h.db.query('SELECT kind, method, amount, courier FROM payments WHERE order_id = $1', [orderId]);
    expect(pay).toEqual({ kind: 'collection', method: 'cash-on-delivery', amount: '199.00', courier: 'sf' });
    const { rows: [delivery] } = await h.db.query('SELECT courier, collect_amount FROM deliveries WHERE order_id = $1', [orderId]);
    expect(delivery).toEqual({ courier: 'sf', collect_amount: '199.00' });
    // the courier's settlement for the day counts it
    const today = (await h.db.query<{ d: string }>(`SELECT ((now() AT TIME ZONE 'Asia/Shanghai')::date)::text AS d`)).rows[0]!.d;
    const settlement = (await api(h, 'GET', `/couriers/sf/settlement?date=${today}`)).body;
    expect(settlement.collected.amount).toBeGreaterThanOrEqual(199);
    expect(settlement.byMethod['cash-on-delivery'].count).toBeGreaterThanOrEqual(1);
  });

  it('holds an order out of stock until goods arrive, then delivers it', async () => {
    await configureSim(h.sims.courierUrl, DELIVER);
    const sku = newSku();
    const orderId = await oneOrder('lg-stock', { ships: [{ sku, qty: 2 }] });
    const held = await waitView(orderId, 'held for stock', (v) => v.status === 'held');
    expect(held.holdReason).toBe('out-of-stock');
    expect(held.waitingFor).toMatch(new RegExp(`stock at wh-south: ${sku} \\(0 of 2\\)`));
    await waitUntil('the hold recorded', async () =>
      (await h.db.query(`SELECT 1 FROM orders WHERE id = $1 AND hold_reason = 'out-of-stock'`, [orderId])).rowCount ? true : undefined);
    // The warehouse's backorders name it: what is short, for how many orders, since when.
    const shortages = (await api(h, 'GET', `/stock/shortages?warehouse=wh-south&sku=${sku}`)).body.shortages;
    expect(shortages).toEqual([{ warehouse: 'wh-south', sku, orders: 1, wanted: 2, onHand: 0, missing: 2, waitingSince: expect.any(String) }]);
    const note = `note-${randomUUID()}`;
    const first = await api(h, 'POST', '/warehouses/wh-south/receipts', { reference: note, sku, qty: 3 });
    expect(first.body).toMatchObject({ onHand: 3, duplicate: false, ordersNotified: 1 });
    // the same delivery note again counts once; the same note with other goods is a mistake
    expect((await api(h, 'POST', '/warehouses/wh-south/receipts', { reference: note, sku, qty: 3 })).body).toMatchObject({ received: 3, duplicate: true });
    expect((await api(h, 'POST', '/warehouses/wh-south/receipts', { reference: note, sku, qty: 30 })).status).toBe(409);
    await waitView(orderId, 'done', (v) => v.stage === 'done');
    expect(await level(sku)).toMatchObject({ onHand: 1, reserved: 0, shipped: 2, received: 3 });
    expect((await historyOf(orderId)).join('\n')).toMatch(/out of stock at wh-south[\s\S]*stock reserved at wh-south/);
    expect((await api(h, 'GET', `/stock/shortages?sku=${sku}`)).body.shortages).toEqual([]);
  });

  it('re-routes to the courier of the new region when a scheduler gives an address there', async () => {
    await configureSim(h.sims.courierUrl, WRONG_ADDRESS);
    const orderId = await oneOrder('lg-route', { ships: [] });
    const held = await waitView(orderId, 'held', (v) => v.status === 'held');
    expect(held.courier).toBe('sf');
    await configureSim(h.sims.courierUrl, DELIVER);
    const bad = await api(h, 'POST', `/orders/${orderId}/delivery/retry`, { address: 'No. 1 Chang an Avenue, Beijing', region: 'zz' });
    expect(bad.status).toBe(422); // well-formed, but no courier delivers there
    expect(bad.body.issues[0].path).toBe('body.region');
    const retried = await api(h, 'POST', `/orders/${orderId}/delivery/retry`, { address: 'No. 1 Chang an Avenue, Beijing', region: 'bj' });
    expect(retried.status).toBe(200);
    expect((await view(orderId)).courier).toBe('jd');
    const { rows } = await h.db.query('SELECT courier FROM deliveries WHERE order_id = $1 ORDER BY attempt', [orderId]);
    expect(rows.map((r) => r.courier)).toEqual(['sf', 'jd']);
    expect((await h.db.query('SELECT region, courier FROM orders WHERE id = $1', [orderId])).rows[0]).toEqual({ region: 'bj', courier: 'jd' });
  });

  it("moves the reservation to the new region's warehouse when it has the goods, else ships from the first", async () => {
    const BEIJING = { address: 'No. 1 Chang an Avenue, Beijing', region: 'bj' };
    // Stocked in both warehouses: the goods follow the order to Beijing.
    await configureSim(h.sims.courierUrl, WRONG_ADDRESS);
    const both = newSku();
    await receive(both, 1);
    await receive(both, 1, 'wh-north');
    const moving = await oneOrder('lg-move', { ships: [{ sku: both, qty: 1 }] });
    // Stocked in the south only: the goods stay reserved there and travel from it.
    const southOnly = newSku();
    await receive(southOnly, 1);
    const staying = await oneOrder('lg-stay', { ships: [{ sku: southOnly, qty: 1 }] });
    for (const orderId of [moving, staying]) await waitView(orderId, 'held', (v) => v.status === 'held');

    await configureSim(h.sims.courierUrl, DELIVER);
    for (const orderId of [moving, staying]) {
      expect((await api(h, 'POST', `/orders/${orderId}/delivery/retry`, BEIJING)).status).toBe(200);
      await waitView(orderId, 'done', (v) => v.stage === 'done');
    }
    expect((await view(moving)).warehouse).toBe('wh-north');
    expect(await level(both)).toMatchObject({ onHand: 1, reserved: 0, shipped: 0, received: 1 });
    expect(await level(both, 'wh-north')).toMatchObject({ onHand: 0, reserved: 0, shipped: 1, received: 1 });
    expect(await historyOf(moving)).toContain('stock reservation moved from wh-south to wh-north (the address is now in region bj)');

    expect((await view(staying)).warehouse).toBe('wh-south');
    expect(await level(southOnly)).toMatchObject({ onHand: 0, reserved: 0, shipped: 1, received: 1 });
    expect(await historyOf(staying)).toContain(`stock stays reserved at wh-south: wh-north is short of ${southOnly}; the goods travel from there`);
  });

  it('out of stock in its region, a scheduler sends it to an address in another: that warehouse ships it', async () => {
    await configureSim(h.sims.courierUrl, DELIVER);
    const sku = newSku();
    await receive(sku, 1, 'wh-north');
    const orderId = await oneOrder('lg-stock-move', { ships: [{ sku, qty: 1 }] });
    const held = await waitView(orderId, 'held for stock', (v) => v.status === 'held');
    expect(held.holdReason).toBe('out-of-stock');
    const retried = await api(h, 'POST', `/orders/${orderId}/delivery/retry`, { address: 'No. 1 Chang an Avenue, Beijing', region: 'bj' });
    expect(retried.status).toBe(200);
    const done = await waitView(orderId, 'done', (v) => v.stage === 'done');
    expect(done).toMatchObject({ status: 'completed', warehouse: 'wh-north', courier: 'jd' });
    expect(await level(sku, 'wh-north')).toMatchObject({ onHand: 0, reserved: 0, shipped: 1, received: 1 });
    expect((await historyOf(orderId)).join('\n')).toMatch(/out of stock at wh-south[\s\S]*stock reserved at wh-north/);
    expect((await api(h, 'GET', `/stock/shortages?sku=${sku}`)).body.shortages).toEqual([]);
  });

  it('cancelled while waiting for stock: it leaves the backorders', async () => {
    const sku = newSku();
    const orderId = await oneOrder('lg-stock-cancel', { ships: [{ sku, qty: 1 }] });
    // The query says held as soon as the workflow does; the backorders list counts orders held in Postgres, a moment later.
    const shortages = await waitUntil('the backorder listed', async () => {
      const { body } = await api(h, 'GET', `/stock/shortages?sku=${sku}`);
      return body.shortages.length ? body.shortages : undefined;
    });
    expect(shortages).toMatchObject([{ orders: 1, wanted: 1, missing: 1 }]);
    expect((await api(h, 'POST', `/orders/${orderId}/cancel`, { reason: 'customer gave up waiting' })).status).toBe(200);
    expect((await api(h, 'GET', `/stock/shortages?sku=${sku}`)).body.shortages).toEqual([]);
    expect((await h.db.query('SELECT 1 FROM stock_shortages WHERE order_id = $1', [orderId])).rowCount).toBe(0);
  });

  it('cancelled before delivery: the stock reservation is released', async () => {
    await configureSim(h.sims.courierUrl, WRONG_ADDRESS);
    const sku = newSku();
    await receive(sku, 1);
    const orderId = await oneOrder('lg-release', { ships: [{ sku, qty: 1 }] });
    await waitView(orderId, 'held', (v) => v.status === 'held');
    expect(await level(sku)).toMatchObject({ onHand: 0, reserved: 1 });
    const res = await api(h, 'POST', `/orders/${orderId}/cancel`, { reason: 'customer withdrew' }, { authorization: `Bearer ${h.token('scheduler', 'bob')}` });
    expect(res.status).toBe(200);
    expect((await view(orderId)).compensation).toEqual(['stock reservation released at wh-south']);
    // who cancelled it: in the update's input (the Temporal UI shows it) and in the order's history,
    // written by the workflow's last step, which may come just after the cancel's answer
    await waitUntil('the cancel in the history', async () => (await historyOf(orderId)).includes('cancelled: customer withdrew (by bob (scheduler))'));
    expect(await level(sku)).toEqual({ warehouse: 'wh-south', sku, onHand: 1, reserved: 0, shipped: 0, received: 1 });
    expect(await historyOf(orderId)).toContain('compensation: stock reservation released at wh-south');
  });

  it('returned after activation: the service is deactivated, the goods picked up and the money refunded', async () => {
    await configureSim(h.sims.courierUrl, DELIVER);
    const sku = newSku();
    await receive(sku, 1);
    const orderId = await oneOrder('lg-return', { ships: [{ sku, qty: 1 }], collect: { method: 'deposit', amount: 300 } }, { followUpDelaySeconds: 600 });
    await waitView(orderId, 'activated', (v) => v.status === 'completed' && v.stage === 'followUp');
    const res = await api(h, 'POST', `/orders/${orderId}/cancel`, { reason: 'customer returned it within the cooling-off period' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    const v = await view(orderId);
    expect(v.compensation).toEqual([
      expect.stringMatching(/^service act-.* deactivated in the BSS$/),
      `return pickup booked with sf (${orderId}-return)`,
      'refund of 300 yuan booked',
    ]);
    expect((await simGet(`${h.sims.bssUrl}/deactivations/${orderId}-deactivate`)).count).toBe(1);
    const { rows: pays } = await h.db.query('SELECT kind, amount FROM payments WHERE order_id = $1 ORDER BY kind', [orderId]);
    expect(pays).toEqual([{ kind: 'collection', amount: '300.00' }, { kind: 'refund', amount: '300.00' }]);
    expect((await h.db.query(`SELECT kind FROM deliveries WHERE id = $1`, [`${orderId}-return`])).rows[0]).toEqual({ kind: 'return' });
    const history = await historyOf(orderId);
    expect(history.filter((r) => r.startsWith('compensation: '))).toHaveLength(3);
    expect((await api(h, 'POST', `/orders/${orderId}/cancel`, { reason: 'again' })).status).toBe(409);
  });

  it('activation refused: the order fails and is compensated (pickup and refund, nothing to deactivate)', async () => {
    await configureSim(h.sims.courierUrl, DELIVER);
    await configureSim(h.sims.bssUrl, { refuseLastDigits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
    try {
      const orderId = await oneOrder('lg-refused', { ships: [], collect: { method: 'cash-on-delivery', amount: 50 } });
      const v = await waitView(orderId, 'failed', (x) => x.status === 'failed');
      expect(v.compensation).toEqual([`return pickup booked with sf (${orderId}-return)`, 'refund of 50 yuan booked']);
    } finally {
      await configureSim(h.sims.bssUrl, { refuseLastDigits: [] });
    }
  });

  it('takes an order from another channel once per Idempotency-Key', async () => {
    await configureSim(h.sims.courierUrl, DELIVER);
    const key = `web-${randomUUID().slice(0, 8)}`;
    const body = {
      customerId: 42,
      offer: { code: 'sim-only', name: 'SIM only', price: 19 },
      // tests run at any hour: the follow-up may call at any hour too
      orders: { followUpDelaySeconds: 1, deliveryRetryDelaySeconds: 0, followUpMaxAttempts: 1, followUpRetryDelaySeconds: 0, followUpWindow: { start: '00:00', end: '24:00' } },
    };
    const first = await api(h, 'POST', '/orders', body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ id: `api-${key}`, workflowId: `order-api-${key}`, created: true });
    const again = await api(h, 'POST', '/orders', body, { 'idempotency-key': key });
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    const other = await api(h, 'POST', '/orders', { ...body, customerId: 43 }, { 'idempotency-key': key });
    expect(other.status).toBe(409);
    expect(other.body.message).toMatch(/another order request/);
    await waitView(first.body.id, 'done', (v) => v.stage === 'done');
    const order = await waitUntil('the order closed', async () => {
      const res = await api(h, 'GET', `/orders/${first.body.id}`);
      return res.body.stage === 'done' ? res.body : undefined;
    });
    expect(order).toMatchObject({ channel: 'api', campaignId: null, status: 'completed', stock: [{ sku: 'sim-card', qty: 1, state: 'shipped' }] });
    expect(order.history[0].reason).toMatch(/another channel/);
    expect((await h.db.query('SELECT count(*)::int AS n FROM orders WHERE idempotency_key = $1', [key])).rows[0]).toEqual({ n: 1 });
  });

  it('sells again on the follow-up call: a new order, linked to the first', async () => {
    await configureSim(h.sims.courierUrl, DELIVER);
    await configureSim(h.sims.dialerUrl, { resaleRate: 1, complaintRate: 0, followupReachRate: 1 });
    try {
      const orderId = await oneOrder('lg-resale', { ships: [] }, { followUpOffer: { code: 'vas-music', name: 'Music pack', price: 10, ships: [] } });
      const parent = await waitView(orderId, 'done', (v) => v.stage === 'done');
      expect(parent.followOnOrderId).toBe(`${orderId}-r1`);
      await waitView(`${orderId}-r1`, 'done', (v) => v.stage === 'done');
      const { rows: [child] } = await h.db.query('SELECT channel, parent_order_id, campaign_id, offer_code FROM orders WHERE id = $1', [`${orderId}-r1`]);
      expect(child).toEqual({ channel: 'followup', parent_order_id: orderId, campaign_id: null, offer_code: 'vas-music' });
      // the follow-on order offers nothing more on its own follow-up
      expect((await view(`${orderId}-r1`)).followOnOrderId).toBeUndefined();
      expect((await historyOf(orderId)).at(-1)).toMatch(new RegExp(`sold Music pack again: order ${orderId}-r1`));
    } finally {
      await configureSim(h.sims.dialerUrl, { resaleRate: 0, complaintRate: 0.05, followupReachRate: 0.8 });
    }
  });

  it('reschedules and reassigns: a booking under way is cancelled at the courier and made again', async () => {
    await configureSim(h.sims.courierUrl, WRONG_ADDRESS);
    try {
      const orderId = await oneOrder('lg-move', { ships: [] });
      await waitView(orderId, 'held', (v) => v.status === 'held');
      // the courier now takes a while, so a booking is still open when the scheduler moves it
      await configureSim(h.sims.courierUrl, { ...DELIVER, travelMs: { min: 3_000, max: 3_000 } });
      expect((await api(h, 'POST', `/orders/${orderId}/delivery/retry`, {})).body.deliveryAttempts).toBe(2);
      const slot = new Date(Date.now() + 86_400_000).toISOString();
      const moved = await api(h, 'POST', `/orders/${orderId}/delivery/reschedule`, { slot });
      expect(moved.status).toBe(200);
      expect(moved.body.deliveryAttempts).toBe(3);
      const given = await api(h, 'POST', `/orders/${orderId}/delivery/reassign`, { courier: 'ems' });
      expect(given.status).toBe(200);
      expect(given.body.deliveryAttempts).toBe(4);
      expect((await api(h, 'POST', `/orders/${orderId}/delivery/reassign`, { courier: 'nobody' })).status).toBe(422);
      const { rows } = await h.db.query<{ courier: string; slot: Date }>('SELECT courier, slot FROM deliveries WHERE order_id = $1 ORDER BY attempt', [orderId]);
      expect(rows.map((r) => r.courier)).toEqual(['sf', 'sf', 'sf', 'ems']);
      expect(rows[2]!.slot.toISOString()).toBe(slot);
      // the bookings it replaced were cancelled at the courier
      expect((await simGet(`${h.sims.courierUrl}/deliveries/${orderId}-d2`)).status).toBe('cancelled');
      expect((await simGet(`${h.sims.courierUrl}/deliveries/${orderId}-d3`)).status).toBe('cancelled');
      await waitView(orderId, 'done', (v) => v.stage === 'done');
      const late = await api(h, 'POST', `/orders/${orderId}/delivery/reschedule`, { slot });
      expect(late.status).toBe(409);
      expect(late.body.message).toMatch(/already|closed/);
      expect((await historyOf(orderId)).filter((r) => /^booking .* (moved to|given to courier)/.test(r))).toHaveLength(2);
    } finally {
      await configureSim(h.sims.courierUrl, { travelMs: { min: 50, max: 300 } });
    }
  });

  it('records a complaint made on the follow-up call, with its reason, for QA and sales points', async () => {
    await configureSim(h.sims.courierUrl, DELIVER);
    await configureSim(h.sims.dialerUrl, { complaintRate: 1, followupReachRate: 1 });
    try {
      const orderId = await oneOrder('lg-complaint', { ships: [] });
      const order = await waitUntil('the follow-up recorded', async () => {
        const res = await api(h, 'GET', `/orders/${orderId}`);
        return res.body.followUp ? res.body : undefined;
      });
      expect(order.followUp).toMatchObject({ result: 'reached', complaint: true, complaintReason: expect.any(String) });
      const { rows: [c] } = await h.db.query('SELECT campaign_id, reason, source FROM complaints WHERE order_id = $1', [orderId]);
      expect(c).toEqual({ campaign_id: order.campaignId, reason: order.followUp.complaintReason, source: 'follow-up call' });
      expect((await historyOf(orderId)).at(-1)).toMatch(/complaint recorded \(.+\)/);
    } finally {
      await configureSim(h.sims.dialerUrl, { complaintRate: 0.05, followupReachRate: 0.8 });
    }
  });
});
