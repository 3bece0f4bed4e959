import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderActivities } from '../../activities/order/orders';
import { campaignWorkflowId } from '../../domain/campaign/ids';
import { localTime, nextOpening, type CallingWindow } from '../../domain/campaign/window-time';
import { followUpCallId, orderWorkflowId } from '../../domain/order/ids';
import { FOLLOWUP_WINDOW_PATCH, type OrderView } from '../../workflows/order/messages';
import { api } from '../support/campaigns';
import { DELIVER, orderHistory, waitOrderView } from '../support/orders';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';
import { replayAndKeep } from '../support/histories';

/**
 * Follow-up calls are calls too (docs/compliance.md): in the customer's calling window, checked at
 * dialing, an offering one within the contact cap; and an order's activation and return keep the
 * customer's services true. Orders from another channel, for scratch customers 100031-100034
 * (test/global-setup.ts: region 'mo', Asia/Macau), this file's own.
 * v5: with 'followup-window-and-cap'; `RECORD_HISTORIES=1` keeps the window path as order-v5-followup-window-*.
 */
const HISTORY_LABEL = 'v5';
const ZONE = 'Asia/Macau';
const ALWAYS: CallingWindow = { start: '00:00', end: '24:00', days: [1, 2, 3, 4, 5, 6, 7], holidays: [] };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    sims: {
      dialer: { followupReachRate: 1, complaintRate: 0, resaleRate: 0 },
      courier: { ...DELIVER, travelMs: { min: 50, max: 300 }, reportDelayMs: 0 },
    },
  });
});
afterAll(async () => { await h?.close(); });

async function apiOrder(name: string, customerId: number, policy: object, opts: { campaignId?: string; code?: string } = {}): Promise<string> {
  const key = uniqueId(name);
  const res = await api(h, 'POST', '/orders', {
    customerId, offer: { code: opts.code ?? 'handset-bundle', name: 'Handset bundle', price: 128, ships: [] },
    orders: { followUpDelaySeconds: 0, deliveryRetryDelaySeconds: 0, followUpMaxAttempts: 1, followUpRetryDelaySeconds: 0, ...policy },
    ...(opts.campaignId ? { campaignId: opts.campaignId } : {}),
  }, { 'idempotency-key': key });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** Waits for the order's workflow to close and answers its last view. */
async function closed(orderId: string, timeoutMs = 30_000): Promise<OrderView> {
  const handle = h.client.workflow.getHandle(orderWorkflowId(orderId));
  await waitUntil(`order ${orderId} closed`, async () => (await handle.describe()).status.name === 'COMPLETED', { timeoutMs, intervalMs: 500 });
  return (await handle.result()) as OrderView;
}

const callRow = async (callId: string) => (await h.db.query<{
  disposition: string | null; offers: boolean; checks: Record<string, unknown>; started_at: Date; dialer_took_at: Date | null;
}>('SELECT disposition, offers, checks, started_at, dialer_took_at FROM call_attempts WHERE id = $1', [callId])).rows[0];

const hhmm = (m: number) => (m >= 1440 ? '24:00' : `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);

describe('follow-up calls keep to the calling window', () => {
  it("a follow-up due outside its window waits for the opening in the customer's zone, and is placed in it", async () => {
    // The window opens at a whole minute in Macau 20-80 s from now: the order is delivered and activated before.
    const now = new Date();
    const startMin = (localTime(now, ZONE).minutes + (now.getUTCSeconds() < 40 ? 1 : 2)) % 1440;
    const window: CallingWindow = { start: hhmm(startMin), end: hhmm(Math.min(startMin + 10, 1440)), days: [1, 2, 3, 4, 5, 6, 7], holidays: [] };
    const opensAt = nextOpening(window, ZONE, now)!;
    const orderId = await apiOrder('fu-window', 100031, { followUpWindow: window });

    const waiting = await waitOrderView(h, orderId, 'waiting for its window', (v) => /calling window/.test(v.waitingFor));
    expect(waiting).toMatchObject({ status: 'completed', stage: 'followUp' });
    expect(Date.now()).toBeLessThan(opensAt.getTime());
    const end = await closed(orderId, 110_000);
    expect(end.followUp?.result).toBe('reached');

    // Checked at dialing, in the window, and taken by the dialer in it.
    const call = (await callRow(followUpCallId(orderId, 1)))!;
    expect(call.checks).toMatchObject({ result: 'clear', window, timeZone: ZONE });
    expect(call.started_at.getTime()).toBeGreaterThanOrEqual(opensAt.getTime());
    expect(call.dialer_took_at!.getTime()).toBeGreaterThanOrEqual(opensAt.getTime());
    expect(call.dialer_took_at!.getTime()).toBeLessThan(opensAt.getTime() + 10 * 60_000);
    expect(call.offers).toBe(false);

    const history = await replayAndKeep(h, orderWorkflowId(orderId), `order-${HISTORY_LABEL}-followup-window-${orderId.slice(-8)}`);
    const patches = (history.events ?? []).flatMap((e) => {
      const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
      return data ? [(JSON.parse(Buffer.from(data).toString()) as { id: string }).id] : [];
    });
    expect(patches).toContain(FOLLOWUP_WINDOW_PATCH);
  }, 150_000);

  it('a follow-up window that makes no sense is refused where it enters, not a 500', async () => {
    for (const followUpWindow of [{ start: '18:00', end: '10:00' }, { start: '25:00', end: '26:00' }, { start: '09:00', end: '10:00', days: [8] }, 'always']) {
      const res = await api(h, 'POST', '/orders', {
        customerId: 100031, offer: { code: 'handset-bundle', name: 'Handset bundle', price: 128, ships: [] }, orders: { followUpWindow },
      }, { 'idempotency-key': uniqueId('fu-bad') });
      expect([400, 422]).toContain(res.status);
    }
  });
});

describe('follow-up calls that offer something count against the contact cap', () => {
  it('an offering follow-up over the cap is refused at dialing, recorded blocked and not tried again; a survey-only one is placed', async () => {
    const campaignId = uniqueId('fu-cap');
    await h.db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, 'follow-up cap', $2, 'completed', $3)`,
      [campaignId, JSON.stringify({ window: ALWAYS, contactCap: { maxCalls: 1, days: 1 } }), campaignWorkflowId(campaignId)]);
    // The customer had a marketing call today, from any campaign: the cap (1 a day) is reached.
    await h.db.query(
      `INSERT INTO call_attempts (id, purpose, campaign_id, customer_id, attempt_no, disposition, connected, checks, started_at, dialer_took_at)
       VALUES ($1, 'sales', $2, 100032, 1, 'no-answer', false, jsonb_build_object('result', 'clear', 'checkedAt', now()), now(), now())`,
      [`audit-${campaignId}-earlier`, campaignId]);

    const offering = await apiOrder('fu-cap', 100032, { followUpMaxAttempts: 2, followUpOffer: { code: 'vas-video', name: 'Video pack', price: 15 } }, { campaignId });
    expect((await closed(offering)).followUp).toEqual({ result: 'unreached' });
    const refused = (await callRow(followUpCallId(offering, 1)))!;
    expect(refused).toMatchObject({
      disposition: 'blocked', offers: true,
      checks: { result: 'blocked', blockedBy: 'contact cap', contactCap: { maxCalls: 1, days: 1, contactsInPeriod: 1 } },
    });
    expect(await callRow(followUpCallId(offering, 2))).toBeUndefined(); // not tried again
    expect((await fetch(`${h.sims.dialerUrl}/calls/${followUpCallId(offering, 1)}`)).status).toBe(404);
    expect((await waitUntil('the close recorded', async () => {
      const reasons = await orderHistory(h, offering);
      return /follow-up/.test(reasons.at(-1) ?? '') ? reasons : undefined;
    })).at(-1)).toMatch(/not called, the call was refused at dialing/);

    // A survey that offers nothing is no marketing call: placed whatever the cap.
    const survey = await apiOrder('fu-survey', 100032, {}, { campaignId });
    expect((await closed(survey)).followUp?.result).toBe('reached');
    const placed = (await callRow(followUpCallId(survey, 1)))!;
    expect(placed).toMatchObject({ disposition: 'accepted', offers: false, checks: { result: 'clear', window: ALWAYS } });
    expect(placed.checks.contactCap).toBeUndefined();
  }, 90_000);
});

describe("the customer's services follow what this system sold", () => {
  const services = async (customerId: number) =>
    (await h.db.query<{ services: string[] }>('SELECT services FROM customers WHERE id = $1', [customerId])).rows[0]!.services;
  const recorded = (orderId: string, status: string) => waitUntil(`order ${orderId} ${status} recorded`, async () =>
    (await h.db.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [orderId])).rows[0]?.status === status);

  it('an activation adds the offer to the customer\'s services, a return takes it away again (once, however often recorded)', async () => {
    const code = `svc-${randomUUID().slice(0, 8)}`;
    const orderId = await apiOrder('owned', 100033, { followUpDelaySeconds: 600 }, { code });
    await waitOrderView(h, orderId, 'activated', (v) => v.status === 'completed' && v.stage === 'followUp');
    await waitUntil('the service added', async () => (await services(100033)).includes(code));

    expect((await api(h, 'POST', `/orders/${orderId}/cancel`, { reason: 'returned in the cooling-off period' })).status).toBe(200);
    await recorded(orderId, 'cancelled');
    expect(await services(100033)).not.toContain(code);

    // A retried activity repeats its event: nothing is added again.
    const { rows: [activation] } = await h.db.query<{ event_key: string }>(
      `SELECT event_key FROM order_events WHERE order_id = $1 AND reason = 'activated in the BSS'`, [orderId]);
    const records = createOrderActivities({ db: h.db, client: h.client, taskQueue: h.taskQueue });
    await records.recordOrderEvent({
      orderId, status: 'completed', stage: 'followUp', reason: 'activated in the BSS', eventKey: activation!.event_key,
      facts: { activatedAt: new Date().toISOString(), activationRef: 'act-again' },
    });
    expect(await services(100033)).not.toContain(code);
  });

  it('a customer who owned the offer before keeps it when the order is returned', async () => {
    const code = `svc-${randomUUID().slice(0, 8)}`;
    await h.db.query('UPDATE customers SET services = array_append(services, $2) WHERE id = $1', [100034, code]);
    const orderId = await apiOrder('owned-before', 100034, { followUpDelaySeconds: 600 }, { code });
    await waitOrderView(h, orderId, 'activated', (v) => v.status === 'completed' && v.stage === 'followUp');
    expect((await api(h, 'POST', `/orders/${orderId}/cancel`, { reason: 'returned' })).status).toBe(200);
    await recorded(orderId, 'cancelled');
    expect((await services(100034)).filter((s) => s === code)).toEqual([code]);
    const { rows: [o] } = await h.db.query<{ service_added: boolean }>('SELECT service_added FROM orders WHERE id = $1', [orderId]);
    expect(o!.service_added).toBe(false);
  });
});
