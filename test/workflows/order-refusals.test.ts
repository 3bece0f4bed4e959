import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderWorkflowId } from '../../domain/order/ids';
import type { OrderView } from '../../workflows/order/messages';
import { api, configureSim, simGet } from '../support/campaigns';
import { DELIVER, EVERY_CALL_ACCEPTED, WRONG_ADDRESS, oneCampaignOrder, orderHistory, orderView, waitOrderView } from '../support/orders';
import { startHarness, waitUntil, type Harness } from '../support/harness';

/**
 * A booking a scheduler asked for that the courier turns down for good: the scheduler is told why
 * and the order waits for the next decision (it used to hang, the update never answered).
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ sims: EVERY_CALL_ACCEPTED });
});
afterAll(async () => { await h?.close(); });

const NO_REFUSALS = { refuse: { addresses: [], couriers: [], slots: [] }, travelMs: { min: 50, max: 300 } };
/** A hang shows as this test's timeout, not the suite's two minutes. */
const HANG_MS = 45_000;

const oneOrder = (prefix: string, offer?: object, orders?: object) => oneCampaignOrder(h, prefix, offer, orders);
const view = (orderId: string) => orderView(h, orderId);
const waitView = (orderId: string, what: string, ok: (v: OrderView) => boolean) => waitOrderView(h, orderId, what, ok);
const historyOf = (orderId: string) => orderHistory(h, orderId);
const closed = async (orderId: string) => (await h.client.workflow.getHandle(orderWorkflowId(orderId)).describe()).status.name;

describe('order: a booking a scheduler asked for, refused by the courier', () => {
  it('a retry to an address the courier does not serve is answered refused; the order is held again, and a retry elsewhere delivers it', async () => {
    await configureSim(h.sims.courierUrl, { ...WRONG_ADDRESS, ...NO_REFUSALS });
    const orderId = await oneOrder('rf-retry');
    await waitView(orderId, 'held', (v) => v.status === 'held');
    await configureSim(h.sims.courierUrl, { ...DELIVER, refuse: { addresses: ['Nowhere Lane'] } });

    const refused = await api(h, 'POST', `/orders/${orderId}/delivery/retry`, { address: 'No. 9 Nowhere Lane, Guangzhou' });
    expect(refused.status).toBe(409);
    // the courier's words, the address taken out: they travel through Temporal; whole, they stay with the delivery
    expect(refused.body.message).toMatch(/courier refused .*no delivery to <the address>/);
    expect(refused.body.message).not.toMatch(/Nowhere Lane/);
    expect((await api(h, 'GET', `/orders/${orderId}`)).body.deliveries[1].refusal).toBe('no delivery to No. 9 Nowhere Lane, Guangzhou');
    const held = await view(orderId);
    expect(held).toMatchObject({ status: 'held', stage: 'delivery', holdReason: 'delivery-failed', deliveryAttempts: 2 });
    expect(held.waitingFor).toMatch(/scheduler's decision.*refused booking .*-d2.*<the address>/);
    // recorded by the workflow as it holds the order again, which may be a moment after the answer
    const refusal = /^the courier refused booking .*-d2: .*<the address>.*; held for a scheduler$/;
    await waitUntil('the refusal in the order\'s history', async () => (await historyOf(orderId)).some((r) => refusal.test(r)) || undefined);

    const retried = await api(h, 'POST', `/orders/${orderId}/delivery/retry`, { address: 'No. 8 Renmin Road, Guangzhou' });
    expect(retried.status).toBe(200);
    expect(retried.body.deliveryAttempts).toBe(3);
    await waitView(orderId, 'done', (v) => v.stage === 'done');
    expect((await view(orderId)).status).toBe('completed');
  }, HANG_MS);

  it('a reschedule of a booking under way into a slot the courier has no room in is refused; the order is held, then cancelled by hand', async () => {
    await configureSim(h.sims.courierUrl, { ...WRONG_ADDRESS, ...NO_REFUSALS });
    const orderId = await oneOrder('rf-slot');
    await waitView(orderId, 'held', (v) => v.status === 'held');
    const slot = new Date(Date.now() + 86_400_000).toISOString();
    // slow, so the retried booking is still open when the scheduler moves it
    await configureSim(h.sims.courierUrl, { ...DELIVER, travelMs: { min: 5_000, max: 5_000 }, refuse: { slots: [slot] } });
    expect((await api(h, 'POST', `/orders/${orderId}/delivery/retry`, {})).body.deliveryAttempts).toBe(2);

    const moved = await api(h, 'POST', `/orders/${orderId}/delivery/reschedule`, { slot });
    expect(moved.status).toBe(409);
    expect(moved.body.message).toMatch(/courier refused .*no room in slot/);
    expect(await view(orderId)).toMatchObject({ status: 'held', holdReason: 'delivery-failed', deliveryAttempts: 3 });
    // the booking it was to replace was cancelled at the courier first
    expect((await simGet(`${h.sims.courierUrl}/deliveries/${orderId}-d2`)).status).toBe('cancelled');

    const cancelled = await api(h, 'POST', `/orders/${orderId}/cancel`, { reason: 'customer gave up' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    await waitUntil('the workflow closed', async () => (await closed(orderId)) === 'COMPLETED');
  }, HANG_MS);

  it('a reassignment to a courier that refuses, then no decision: escalated and cancelled by the hold SLA', async () => {
    await configureSim(h.sims.courierUrl, { ...WRONG_ADDRESS, ...NO_REFUSALS });
    const orderId = await oneOrder('rf-courier', { ships: [] }, { holdSla: { escalateAfterSeconds: 3, cancelAfterSeconds: 6 } });
    await waitView(orderId, 'held', (v) => v.status === 'held');
    await configureSim(h.sims.courierUrl, { ...DELIVER, refuse: { couriers: ['ems'] } });

    const given = await api(h, 'POST', `/orders/${orderId}/delivery/reassign`, { courier: 'ems' });
    expect(given.status).toBe(409);
    expect(given.body.message).toMatch(/courier refused .*courier ems takes no parcels/);
    expect(await view(orderId)).toMatchObject({ status: 'held', escalated: false });
    await waitView(orderId, 'escalated', (v) => v.escalated);
    const v = await waitView(orderId, 'cancelled', (x) => x.status === 'cancelled');
    expect(v.stage).toBe('done');
    await waitUntil('the workflow closed', async () => (await closed(orderId)) === 'COMPLETED');
    const history = await historyOf(orderId);
    expect(history).toContainEqual(expect.stringMatching(/^the courier refused booking .*-d2: .*courier ems/));
    expect(history.at(-1)).toMatch(/no scheduler decision within 6s of the hold/);
  }, HANG_MS);

  it('the first booking, made without a scheduler, refused: the order fails and its stock is released (as before)', async () => {
    const sku = `t-${randomUUID().slice(0, 8)}`;
    await api(h, 'POST', '/warehouses/wh-south/receipts', { reference: `note-${randomUUID()}`, sku, qty: 1 });
    await configureSim(h.sims.courierUrl, { ...DELIVER, ...NO_REFUSALS, refuse: { couriers: ['sf'] } });
    try {
      const orderId = await oneOrder('rf-first', { ships: [{ sku, qty: 1 }] });
      const v = await waitView(orderId, 'failed', (x) => x.status === 'failed');
      expect(v.compensation).toEqual(['stock reservation released at wh-south']);
      // The query shows the order failed as its last state change is being written: read the history once it closed.
      await waitUntil('the workflow closed', async () => (await closed(orderId)) === 'COMPLETED');
      expect((await historyOf(orderId)).at(-1)).toMatch(/^delivery failed: the courier refused the booking: courier sf takes no parcels/);
    } finally {
      await configureSim(h.sims.courierUrl, NO_REFUSALS);
    }
  }, HANG_MS);
});
