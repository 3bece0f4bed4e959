import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderWorkflowId } from '../../domain/order/ids';
import { REVIEW_FIXES_PATCH, SCHEDULER_REFUSAL_PATCH, type OrderView } from '../../workflows/order/messages';
import { api, configureSim, simGet } from '../support/campaigns';
import { DELIVER, WRONG_ADDRESS, orderHistory, waitOrderView } from '../support/orders';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';
import { replayAndKeep } from '../support/histories';

/**
 * One order down each path the campaign's fresh run (replay.test.ts) seldom or never takes: each is
 * replayed as soon as it closes, and `RECORD_HISTORIES=1` keeps it in histories/ as
 * order-v6-<path>-<id>.json, which replay.test.ts then replays for ever (the order-v4-* files stay).
 * v4: the review fixes, the refused scheduler booking and the updates answered on close are patched
 * in; v6: and order-waits-recorded (a recordOrderWait after each booking, before each follow-up
 * call, when compensation begins).
 */
const HISTORY_LABEL = 'v6';
const USUAL = { travelMs: { min: 50, max: 300 }, reportDelayMs: 0, refuse: { addresses: [], couriers: [], slots: [] } };
/** Short waits and one follow-up call: small histories. */
// tests run at any hour: follow-ups may call at any hour too
const FAST = { followUpDelaySeconds: 0, deliveryRetryDelaySeconds: 0, followUpMaxAttempts: 1, followUpRetryDelaySeconds: 0, followUpWindow: { start: '00:00', end: '24:00' } };

let h: Harness;
let customerId: number;
beforeAll(async () => {
  h = await startHarness();
  // Guangdong: warehouse wh-south, courier sf
  customerId = Number((await h.db.query<{ id: string }>(`SELECT id FROM customers WHERE region = 'gd' ORDER BY id LIMIT 1`)).rows[0]!.id);
});
afterAll(async () => { await h?.close(); });

const newSku = () => `t-${randomUUID().slice(0, 8)}`;
const receive = (sku: string, qty: number) =>
  api(h, 'POST', '/warehouses/wh-south/receipts', { reference: `note-${randomUUID()}`, sku, qty });

/** An order from another channel (no campaign around it), for path `name`. */
async function order(name: string, offer: object, policy: object = {}): Promise<string> {
  const key = uniqueId(name);
  const res = await api(h, 'POST', '/orders', {
    customerId, offer: { code: 'handset-bundle', name: 'Handset bundle', price: 128, ships: [], ...offer }, orders: { ...FAST, ...policy },
  }, { 'idempotency-key': key });
  expect(res.status).toBe(201);
  return res.body.id;
}
const waitView = (orderId: string, what: string, ok: (v: OrderView) => boolean) => waitOrderView(h, orderId, what, ok);
const historyOf = (orderId: string) => orderHistory(h, orderId);

/** The patches a history took (the SDK's markers name them). */
const patchesIn = (history: Awaited<ReturnType<ReturnType<Harness['client']['workflow']['getHandle']>['fetchHistory']>>) =>
  (history.events ?? []).flatMap((e) => {
    const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data).toString()) as { id: string }).id] : [];
  });
const patches = new Map<string, string[]>();

/** Waits for the workflow to close, replays its history on today's code, and records it if asked. */
async function replayed(name: string, orderId: string): Promise<OrderView> {
  const handle = h.client.workflow.getHandle(orderWorkflowId(orderId));
  await waitUntil(`order ${orderId} closed`, async () => (await handle.describe()).status.name === 'COMPLETED', { timeoutMs: 30_000 });
  const history = await replayAndKeep(h, handle.workflowId, `order-${HISTORY_LABEL}-${name}-${orderId.slice(-8)}`);
  patches.set(name, patchesIn(history));
  return (await handle.result()) as OrderView;
}

describe('replay of each order path, just run', () => {
  afterAll(async () => { await configureSim(h.sims.courierUrl, USUAL); });

  it('hold SLA: escalated, then cancelled without a decision', async () => {
    await configureSim(h.sims.courierUrl, { ...WRONG_ADDRESS, ...USUAL });
    const orderId = await order('hold-sla', {}, { holdSla: { escalateAfterSeconds: 1, cancelAfterSeconds: 2 } });
    const end = await replayed('hold-sla', orderId);
    expect(end.status).toBe('cancelled');
    expect((await historyOf(orderId)).join('\n')).toMatch(/escalated[\s\S]*no scheduler decision within 2s of the hold/);
  });

  it('cancelled before delivery: the stock reservation released', async () => {
    await configureSim(h.sims.courierUrl, { ...WRONG_ADDRESS, ...USUAL });
    const sku = newSku();
    await receive(sku, 1);
    const orderId = await order('cancel-held', { ships: [{ sku, qty: 1 }] });
    await waitView(orderId, 'held', (v) => v.status === 'held');
    expect((await api(h, 'POST', `/orders/${orderId}/cancel`, { reason: 'customer withdrew' })).status).toBe(200);
    expect((await replayed('cancel-held', orderId)).compensation).toEqual(['stock reservation released at wh-south']);
  });

  it("cancelled once delivered, before the courier's report came: return pickup and refund", async () => {
    // the courier finishes at once, its webhook comes late: the cancel finds it done and reads its report
    await configureSim(h.sims.courierUrl, { ...DELIVER, ...USUAL, reportDelayMs: 20_000 });
    const orderId = await order('cancel-delivered', { collect: { method: 'cash-on-delivery', amount: 50 } });
    await waitUntil('the courier done', async () => (await simGet(`${h.sims.courierUrl}/deliveries/${orderId}-d1`)).status === 'completed');
    expect((await api(h, 'POST', `/orders/${orderId}/cancel`, { reason: 'customer changed their mind' })).status).toBe(200);
    const end = await replayed('cancel-delivered', orderId);
    expect(end).toMatchObject({ status: 'cancelled', collected: 50, compensation: [`return pickup booked with sf (${orderId}-return)`, 'refund of 50 yuan booked'] });
    expect(end.activationId).toBeUndefined();
    expect(patches.get('cancel-delivered')).toContain(REVIEW_FIXES_PATCH); // the courier's own report read
  });

  it('returned after activation: deactivation, return pickup and refund', async () => {
    await configureSim(h.sims.courierUrl, { ...DELIVER, ...USUAL });
    const sku = newSku();
    await receive(sku, 1);
    const orderId = await order('return', { ships: [{ sku, qty: 1 }], collect: { method: 'deposit', amount: 30 } }, { followUpDelaySeconds: 600 });
    await waitView(orderId, 'activated', (v) => v.status === 'completed' && v.stage === 'followUp');
    expect((await api(h, 'POST', `/orders/${orderId}/cancel`, { reason: 'returned in the cooling-off period' })).status).toBe(200);
    const end = await replayed('return', orderId);
    expect(end.compensation).toEqual([
      expect.stringMatching(/^service act-.* deactivated in the BSS$/), `return pickup booked with sf (${orderId}-return)`, 'refund of 30 yuan booked',
    ]);
  });

  it('out of stock, then the goods receipt: delivered', async () => {
    await configureSim(h.sims.courierUrl, { ...DELIVER, ...USUAL });
    const sku = newSku();
    const orderId = await order('stock-wait', { ships: [{ sku, qty: 1 }] });
    await waitView(orderId, 'held for stock', (v) => v.holdReason === 'out-of-stock');
    expect((await receive(sku, 1)).body).toMatchObject({ ordersNotified: 1 });
    expect((await replayed('stock-wait', orderId)).status).toBe('completed');
  });

  for (const [name, change] of [['reschedule', { slot: new Date(Date.now() + 86_400_000).toISOString() }], ['reassign', { courier: 'ems' }]] as const) {
    it(`${name}: the booking under way cancelled at the courier and made again`, async () => {
      await configureSim(h.sims.courierUrl, { ...DELIVER, ...USUAL, travelMs: { min: 3_000, max: 3_000 } });
      const orderId = await order(name, {});
      await waitView(orderId, 'booked', (v) => /courier's outcome/.test(v.waitingFor));
      const moved = await api(h, 'POST', `/orders/${orderId}/delivery/${name}`, change);
      expect(moved.status).toBe(200);
      expect(moved.body.deliveryAttempts).toBe(2);
      await configureSim(h.sims.courierUrl, USUAL);
      expect((await replayed(name, orderId)).status).toBe('completed');
      expect((await simGet(`${h.sims.courierUrl}/deliveries/${orderId}-d1`)).status).toBe('cancelled');
    });
  }

  it("a scheduler's retry the courier refuses: held again, then delivered on the next retry", async () => {
    await configureSim(h.sims.courierUrl, { ...WRONG_ADDRESS, ...USUAL });
    const orderId = await order('refused-retry', {});
    await waitView(orderId, 'held', (v) => v.status === 'held');
    await configureSim(h.sims.courierUrl, { ...DELIVER, refuse: { addresses: ['Nowhere Lane'] } });
    const refused = await api(h, 'POST', `/orders/${orderId}/delivery/retry`, { address: 'No. 9 Nowhere Lane, Guangzhou' });
    expect(refused.status).toBe(409);
    await waitView(orderId, 'held again', (v) => v.status === 'held');
    expect((await api(h, 'POST', `/orders/${orderId}/delivery/retry`, { address: 'No. 8 Renmin Road, Guangzhou' })).status).toBe(200);
    expect((await replayed('refused-retry', orderId)).status).toBe('completed');
    expect(patches.get('refused-retry')).toContain(SCHEDULER_REFUSAL_PATCH);
  });
});
