import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderWorkflowId } from '../../domain/order/ids';
import { deliveryRetryJobWorkflowId } from '../../domain/dispatch/ids';
import { orderQuery, type OrderView } from '../../workflows/order/messages';
import { deliveryRetryJobWorkflow } from '../../workflows/dispatch/workflow';
import type { DeliveryRetryJobInput } from '../../workflows/dispatch/messages';
import { api, configureSim, launch, testCampaign } from '../support/campaigns';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  // Every sales call is accepted and every delivery goes to a wrong address, which the policy
  // leaves to a person at once: each order is held after its first booking, and again after each retry.
  h = await startHarness({
    sims: {
      dialer: { mix: { 'no-answer': 0, busy: 0, 'wrong-number': 0, refused: 0, 'callback-requested': 0, accepted: 1 } },
      courier: { mix: { delivered: 0, 'customer-absent': 0, 'wrong-address': 1, refused: 0, 'courier-lost': 0 } },
    },
  });
});
afterAll(async () => { await h?.close(); });

const view = (orderId: string): Promise<OrderView> => h.client.workflow.getHandle(orderWorkflowId(orderId)).query(orderQuery);
const bookings = async (orderId: string) =>
  (await h.db.query<{ attempt: number; slot: Date | null }>('SELECT attempt, slot FROM deliveries WHERE order_id = $1 ORDER BY attempt', [orderId])).rows;

/** A campaign of `n` leads whose orders all end up held for a scheduler after `attempts` bookings. */
async function heldOrders(prefix: string, n: number): Promise<{ campaignId: string; orderIds: string[] }> {
  const campaignId = uniqueId(prefix);
  await launch(h, testCampaign(campaignId, { segment: { maxLeads: n } }));
  const orderIds = await waitUntil(`${n} held orders`, async () => {
    const { rows } = await h.db.query<{ id: string }>(`SELECT id FROM orders WHERE campaign_id = $1 AND status = 'held' ORDER BY id`, [campaignId]);
    return rows.length === n ? rows.map((r) => r.id) : undefined;
  });
  return { campaignId, orderIds };
}
const heldAgain = (orderId: string, attempts: number) =>
  waitUntil(`order ${orderId} held after ${attempts} bookings`, async () => {
    const v = await view(orderId);
    const { rows } = await h.db.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [orderId]);
    return v.status === 'held' && v.deliveryAttempts === attempts && rows[0]!.status === 'held' ? v : undefined;
  });
const startDirect = (input: DeliveryRetryJobInput) =>
  h.client.workflow.start(deliveryRetryJobWorkflow, {
    workflowId: deliveryRetryJobWorkflowId(input.jobId), taskQueue: h.taskQueue, args: [input], memo: { requestHash: input.requestHash },
  });

describe('bulk retry of held deliveries', () => {
  it('books a new delivery for every held order the filter matches, and a repeat with the same key changes nothing', async () => {
    const { campaignId, orderIds } = await heldOrders('br-bulk', 3);
    const key = uniqueId('job');
    const slot = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const request = { idempotencyKey: key, filter: { campaignId, reason: 'wrong-address' }, slot };

    const started = await api(h, 'POST', '/deliveries/retry', request);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ jobId: key, workflowId: `delivery-retry-${key}` });
    const early = await api(h, 'GET', `/deliveries/retry/${key}`); // asked at once: answered, not a 500
    const twice = await api(h, 'POST', '/deliveries/retry', request); // a client retrying at once gets the same job
    expect(twice.body.workflowId).toBe(started.body.workflowId);
    expect(early.status).toBe(200);
    expect(early.body).toMatchObject({ jobId: key, filter: { campaignId, reason: 'wrong-address' } });
    const done = await waitUntil('the job to finish', async () => {
      const res = await api(h, 'GET', `/deliveries/retry/${key}`);
      return res.body.status === 'completed' ? res.body : undefined;
    });
    expect(done).toMatchObject({ total: 3, done: 3, accepted: 3, refused: 0, failed: 0, lastErrors: [], filter: { campaignId, reason: 'wrong-address' }, slot });

    // What the Temporal UI shows: a summary of the scope, and how far the job got.
    const jobHandle = h.client.workflow.getHandle(started.body.workflowId);
    expect(await (await jobHandle.describe()).staticSummary()).toBe(`Bulk delivery retry: held orders of campaign ${campaignId}, wrong-address (at most 1000)`);
    const meta = await jobHandle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(meta.currentDetails).toContain('retried 3 of 3 held orders (3 accepted, 0 refused)');

    // Each held order got a second booking, for the slot asked, and (a wrong address again) is held again.
    for (const orderId of orderIds) {
      await heldAgain(orderId, 2);
      const b = await bookings(orderId);
      expect(b.map((x) => x.attempt)).toEqual([1, 2]);
      expect(b[1]!.slot?.toISOString()).toBe(slot);
    }

    // The same request again: the same finished job, no second one, no new booking.
    const { runId } = await h.client.workflow.getHandle(started.body.workflowId).describe();
    const again = await api(h, 'POST', '/deliveries/retry', request);
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ jobId: key, workflowId: started.body.workflowId, status: 'completed' });
    expect((await h.client.workflow.getHandle(started.body.workflowId).describe()).runId).toBe(runId);
    await new Promise((r) => setTimeout(r, 1_000));
    for (const orderId of orderIds) {
      expect((await bookings(orderId)).length).toBe(2);
      expect((await view(orderId)).status).toBe('held');
    }
    expect((await api(h, 'GET', `/deliveries/retry/${key}`)).body).toEqual(done);

    // The same key for another request is refused, and starts nothing.
    const other = await api(h, 'POST', '/deliveries/retry', { ...request, limit: 5 });
    expect(other.status).toBe(409);
    expect(other.body.message).toMatch(/already used for a different bulk retry/);
    const { rows } = await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM deliveries WHERE order_id = ANY($1)', [orderIds]);
    expect(rows[0]!.n).toBe(6);
  });

  it('reports an order no longer held as refused with its reason and an unknown one as failed, across hand-overs', async () => {
    const { campaignId, orderIds: [a, b, gone] } = await heldOrders('br-mixed', 3);
    const cancel = await api(h, 'POST', `/orders/${gone}/cancel`, { reason: 'customer withdrew' });
    expect(cancel.body.status).toBe('cancelled');
    await h.client.workflow.getHandle(orderWorkflowId(gone!)).result();

    // The scope as a snapshot taken before the cancel, handed over the way a new run receives it;
    // one order per batch and a tiny history limit, so the job continues as new after every batch.
    const key = uniqueId('job-mixed');
    const handle = await startDirect({
      jobId: key, filter: { campaignId }, limit: 10, requestHash: 'direct', batchSize: 1, historyLimit: 8,
      carried: {
        startedAt: new Date().toISOString(), total: 4, accepted: 0, refused: 0, failed: 0, lastErrors: [], run: 0,
        remaining: [a!, gone!, `${campaignId}-l0`, b!],
      },
    });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', total: 4, done: 4, accepted: 2, refused: 1, failed: 1 });
    expect(result.lastErrors).toEqual([
      { orderId: gone, reason: 'order is already cancelled' },
      { orderId: `${campaignId}-l0`, reason: 'order not found' },
    ]);
    expect(result.run).toBeGreaterThanOrEqual(2);
    const firstRun = await h.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
    expect(firstRun.status.name).toBe('CONTINUED_AS_NEW');

    await heldAgain(a!, 2);
    await heldAgain(b!, 2);
    expect((await bookings(gone!)).length).toBe(1);
    const res = await api(h, 'GET', `/deliveries/retry/${key}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ...result, workflowId: handle.workflowId });
  });

  it('stops between batches when cancelled, and keeps the latest 20 errors', async () => {
    const key = uniqueId('job-cancel');
    const remaining = Array.from({ length: 400 }, (_, i) => `br-nowhere-l${i}`);
    await startDirect({
      jobId: key, filter: {}, limit: 400, requestHash: 'direct', batchSize: 2,
      carried: { startedAt: new Date().toISOString(), total: 400, accepted: 0, refused: 0, failed: 0, lastErrors: [], run: 0, remaining },
    });
    await waitUntil('a few batches', async () => (await api(h, 'GET', `/deliveries/retry/${key}`)).body.done >= 30);
    const cancelled = await api(h, 'POST', `/deliveries/retry/${key}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.done).toBeLessThan(400);
    expect(cancelled.body.done % 2).toBe(0); // whole batches only
    expect(cancelled.body.failed).toBe(cancelled.body.done);
    expect(cancelled.body.lastErrors).toHaveLength(20);
    expect(cancelled.body.lastErrors.at(-1)).toEqual({ orderId: `br-nowhere-l${cancelled.body.done - 1}`, reason: 'order not found' });
    const again = await api(h, 'POST', `/deliveries/retry/${key}/cancel`);
    expect(again.status).toBe(409);
    expect((await api(h, 'GET', `/deliveries/retry/${key}`)).body).toMatchObject({ status: 'cancelled', done: cancelled.body.done });
  });

  it('counts a booking slower than its wait as accepted and lets it finish', async () => {
    const { campaignId, orderIds: [orderId] } = await heldOrders('br-slow', 1);
    await configureSim(h.sims.courierUrl, { faults: { latencyMs: 3_000 } });
    try {
      const handle = await startDirect({ jobId: uniqueId('job-slow'), filter: { campaignId }, limit: 10, requestHash: 'direct', bookingWaitSeconds: 1 });
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'completed', total: 1, accepted: 1 });
      // the job moved on before the courier confirmed the booking (its slot comes with the confirmation)
      expect((await bookings(orderId!))[1]?.slot ?? null).toBeNull();
      await heldAgain(orderId!, 2);
    } finally {
      await configureSim(h.sims.courierUrl, { faults: { latencyMs: 0 } });
    }
  });
});
