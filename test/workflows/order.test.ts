import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderWorkflowId } from '../../domain/order/ids';
import { orderQuery, type OrderView } from '../../workflows/order/messages';
import { api, configureSim, launch, testCampaign, simGet } from '../support/campaigns';
import { EVERY_CALL_ACCEPTED } from '../support/orders';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  // every sales call is accepted, so each test gets its orders quickly
  h = await startHarness({ sims: EVERY_CALL_ACCEPTED });
});
afterAll(async () => { await h?.close(); });

const ordersOf = async (campaignId: string) =>
  (await h.db.query<{ id: string }>('SELECT id FROM orders WHERE campaign_id = $1 ORDER BY id', [campaignId])).rows.map((r) => r.id);

async function oneOrder(prefix: string, over: Parameters<typeof testCampaign>[1] = {}): Promise<string> {
  const id = uniqueId(prefix);
  await launch(h, testCampaign(id, { segment: { maxLeads: 1 }, ...over }));
  const [orderId] = await waitUntil('the order', async () => { const o = await ordersOf(id); return o.length ? o : undefined; });
  return orderId!;
}
const view = (orderId: string): Promise<OrderView> => h.client.workflow.getHandle(orderWorkflowId(orderId)).query(orderQuery);
const waitStatus = (orderId: string, status: string, stage?: string) =>
  waitUntil(`order ${orderId} ${status}`, async () => {
    const v = await view(orderId);
    return v.status === status && (!stage || v.stage === stage) ? v : undefined;
  });

describe('order workflow', () => {
  it('holds an order after three absent deliveries and delivers it when a scheduler retries', async () => {
    await configureSim(h.sims.courierUrl, { mix: { delivered: 0, 'customer-absent': 1, 'wrong-address': 0, refused: 0 } });
    const orderId = await oneOrder('ord-held');
    const held = await waitStatus(orderId, 'held');
    expect(held.deliveryAttempts).toBe(3); // absent: tried again twice, then a person decides
    expect(held.waitingFor).toMatch(/scheduler/);

    const early = await api(h, 'POST', `/orders/${orderId}/cancel`, {}); // no reason given
    expect(early.status).toBe(400);

    await configureSim(h.sims.courierUrl, { mix: { delivered: 1, 'customer-absent': 0 } });
    const retried = await api(h, 'POST', `/orders/${orderId}/delivery/retry`, { address: 'No. 8 Renmin Road, Guangzhou' });
    expect(retried.status).toBe(200);
    expect(retried.body.deliveryAttempts).toBe(4);
    expect(retried.body.status).toBe('inProgress');
    await waitStatus(orderId, 'completed', 'done');
    // the query answers as soon as the workflow moved; the record follows when the activity ran
    const body = await waitUntil('the final event recorded', async () => {
      const res = await api(h, 'GET', `/orders/${orderId}`);
      return res.body.stage === 'done' ? res.body : undefined;
    });
    expect(body.history.map((e: { status: string }) => e.status)).toEqual(
      ['acknowledged', 'inProgress', 'inProgress', 'inProgress', 'held', 'inProgress', 'inProgress', 'completed', 'completed']);
    expect(body.activationRef).toMatch(/^act-/);
    expect((await api(h, 'POST', `/orders/${orderId}/cancel`, { reason: 'too late' })).status).toBe(409);
    expect((await api(h, 'POST', `/orders/${orderId}/delivery/retry`, {})).status).toBe(409);
    const { rows } = await h.db.query('SELECT address FROM orders WHERE id = $1', [orderId]);
    expect(rows[0].address).toBe('No. 8 Renmin Road, Guangzhou');
  });

  it('lets a scheduler cancel a held order, once', async () => {
    await configureSim(h.sims.courierUrl, { mix: { delivered: 0, 'customer-absent': 0, refused: 0, 'wrong-address': 1 } });
    const orderId = await oneOrder('ord-cancel');
    await waitStatus(orderId, 'held');
    const res = await api(h, 'POST', `/orders/${orderId}/cancel`, { reason: 'customer withdrew' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    const again = await api(h, 'POST', `/orders/${orderId}/cancel`, { reason: 'again' });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/cancelled|closed/);
    // the update answers once the workflow cancelled; the record follows when its activity ran
    const row = await waitUntil('the cancel recorded', async () => {
      const { rows } = await h.db.query('SELECT status, activated_at FROM orders WHERE id = $1', [orderId]);
      return rows[0].status === 'cancelled' ? rows[0] : undefined;
    });
    expect(row).toEqual({ status: 'cancelled', activated_at: null });
  });

  it('follows the delivery policy per reason: a refusal cancels, a lost parcel is rebooked at once, a wrong address waits for a person', async () => {
    await configureSim(h.sims.courierUrl, { mix: { delivered: 0, 'customer-absent': 0, 'wrong-address': 0, refused: 1, 'courier-lost': 0 } });
    const refused = await oneOrder('ord-refusal');
    const cancelled = await waitStatus(refused, 'cancelled');
    expect(cancelled.deliveryAttempts).toBe(1);
    await configureSim(h.sims.courierUrl, { mix: { refused: 0, 'courier-lost': 1 } });
    const lost = await oneOrder('ord-lost');
    const held = await waitStatus(lost, 'held');
    expect(held).toMatchObject({ deliveryAttempts: 2, lastDeliveryOutcome: 'courier-lost' });
    // the dispatchers' queue shows it, with the reason
    const queued = await waitUntil('the hold in the work queue', async () => {
      const queue = await api(h, 'GET', `/deliveries?reason=courier-lost&limit=1000`);
      return queue.body.deliveries.find((d: { orderId: string }) => d.orderId === lost);
    });
    expect(queued).toMatchObject({ reason: 'courier-lost', attempts: 2, escalatedAt: null });
    expect((await api(h, 'GET', `/deliveries?reason=wrong-address&limit=1000`)).body.deliveries.map((d: { orderId: string }) => d.orderId)).not.toContain(lost);
    await api(h, 'POST', `/orders/${lost}/cancel`, { reason: 'test done' });
  });

  it('escalates a hold nobody decides on, then cancels it past the second limit', async () => {
    await configureSim(h.sims.courierUrl, { mix: { delivered: 0, 'customer-absent': 0, refused: 0, 'courier-lost': 0, 'wrong-address': 1 } });
    const orderId = await oneOrder('ord-sla', { orders: { followUpDelaySeconds: 1, deliveryRetryDelaySeconds: 0, followUpMaxAttempts: 1, followUpRetryDelaySeconds: 0, holdSla: { escalateAfterSeconds: 1, cancelAfterSeconds: 4 } } });
    await waitStatus(orderId, 'held');
    const escalated = await waitUntil('escalation', async () => { const v = await view(orderId); return v.escalated ? v : undefined; });
    expect(escalated.status).toBe('held');
    const recorded = await waitUntil('escalation recorded', async () => {
      const res = await api(h, 'GET', `/orders/${orderId}`);
      return res.body.escalatedAt ? res.body : undefined;
    });
    expect(recorded.history.at(-1).reason).toMatch(/escalated/);
    expect((await api(h, 'GET', `/deliveries?escalated=true&limit=1000`)).body.deliveries.map((d: { orderId: string }) => d.orderId)).toContain(orderId);
    const gone = await waitStatus(orderId, 'cancelled');
    expect(gone.stage).toBe('done');
    const final = await waitUntil('cancel recorded', async () => {
      const res = await api(h, 'GET', `/orders/${orderId}`);
      return res.body.status === 'cancelled' ? res.body : undefined;
    });
    expect(final.history.at(-1).reason).toMatch(/no scheduler decision/);
  });

  it('fails the order, without retrying, when the BSS refuses the activation', async () => {
    await configureSim(h.sims.courierUrl, { mix: { delivered: 1, refused: 0, 'wrong-address': 0, 'courier-lost': 0 } });
    await configureSim(h.sims.bssUrl, { refuseLastDigits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
    try {
      const orderId = await oneOrder('ord-refused');
      const failed = await waitStatus(orderId, 'failed');
      expect(failed.stage).toBe('done');
      // the query answers as soon as the workflow moved; the record follows when the activity ran
      const body = await waitUntil('the failure recorded', async () => {
        const res = await api(h, 'GET', `/orders/${orderId}`);
        return res.body.status === 'failed' ? res.body : undefined;
      });
      expect(body.history.at(-1).reason).toMatch(/refused/);
      const key = await simGet(`${h.sims.bssUrl}/activations/${orderId}`);
      expect(key.count ?? 0).toBe(0);
    } finally {
      await configureSim(h.sims.bssUrl, { refuseLastDigits: [] });
    }
  });

  it('activates exactly once through BSS errors and timeouts, and ignores duplicate webhooks', async () => {
    await configureSim(h.sims.courierUrl, { mix: { delivered: 0.7, 'customer-absent': 0.3, refused: 0, 'wrong-address': 0, 'courier-lost': 0 }, faults: { duplicateWebhookRate: 1 } });
    await configureSim(h.sims.dialerUrl, { faults: { duplicateWebhookRate: 1 } });
    await configureSim(h.sims.bssUrl, { faults: { errorRate: 0.2, timeoutRate: 0.1, timeoutMs: 2500 } });
    const id = uniqueId('ord-faults');
    await launch(h, testCampaign(id, { segment: { maxLeads: 12 }, dialing: { maxConcurrentCalls: 6, maxAttempts: 1, retryDelaySeconds: 0 } }));
    const orders = await waitUntil('12 orders', async () => { const o = await ordersOf(id); return o.length === 12 ? o : undefined; });
    const views = await waitUntil('orders settled', async () => {
      const vs = await Promise.all(orders.map(view));
      return vs.every((v) => v.stage === 'done' || v.status === 'held') ? vs : undefined;
    }, { timeoutMs: 150_000, intervalMs: 500 });
    const activated = views.filter((v) => v.activationId);
    expect(activated.length).toBeGreaterThan(0);
    for (const v of activated) {
      const key = await simGet(`${h.sims.bssUrl}/activations/${v.orderId}`);
      expect(key.count).toBe(1);
    }
    // one recorded outcome per booking, however many webhooks came
    const { rows } = await h.db.query<{ n: string; with_outcome: string }>(
      `SELECT count(*) AS n, count(outcome) AS with_outcome FROM deliveries d JOIN orders o ON o.id = d.order_id WHERE o.campaign_id = $1`, [id]);
    expect(Number(rows[0]!.with_outcome)).toBe(Number(rows[0]!.n));
    const stats = await simGet(`${h.sims.courierUrl}/stats`);
    expect(stats.duplicatesSent).toBeGreaterThan(0);
  });
});
