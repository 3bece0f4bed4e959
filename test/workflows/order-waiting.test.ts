import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderWorkflowId } from '../../domain/order/ids';
import { WAITING } from '../../domain/order/waiting';
import { WAITS_RECORDED_PATCH, type OrderView } from '../../workflows/order/messages';
import { api, configureSim } from '../support/campaigns';
import { DELIVER, WRONG_ADDRESS, orderView } from '../support/orders';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';
import { replayAndKeep } from '../support/histories';

/**
 * What an order waits for is kept in Postgres with each of its events (migration 018), and
 * GET /orders/:id answers it from there: the same words and time as the workflow's `order` query,
 * with the worker stopped (no query could be answered then), held after a failed delivery and after
 * a scheduler's retry. v6: with 'order-waits-recorded'; `RECORD_HISTORIES=1` keeps this order's
 * history as order-v6-waiting-*, replayed by test/replay/replay.test.ts.
 */
const HISTORY_LABEL = 'v6';
/** Follow-ups at once and at any hour; a hold nobody decides on stays held for the test's length. */
const POLICY = {
  followUpDelaySeconds: 0, deliveryRetryDelaySeconds: 0, followUpMaxAttempts: 1, followUpRetryDelaySeconds: 0,
  followUpWindow: { start: '00:00', end: '24:00' }, holdSla: { escalateAfterSeconds: 3_600, cancelAfterSeconds: 7_200 },
};
const QUICK = { travelMs: { min: 50, max: 300 }, reportDelayMs: 0 };

let h: Harness;
let customerId: number;
beforeAll(async () => {
  h = await startHarness({ sims: { courier: { ...WRONG_ADDRESS, ...QUICK } } });
  // Guangdong: warehouse wh-south, courier sf
  customerId = Number((await h.db.query<{ id: string }>(`SELECT id FROM customers WHERE region = 'gd' ORDER BY id LIMIT 1`)).rows[0]!.id);
});
afterAll(async () => {
  if (!h?.worker) await h?.startWorker(); // a failed test may leave it stopped
  await h?.close();
});

const detail = async (orderId: string) => {
  const res = await api(h, 'GET', `/orders/${orderId}`);
  expect(res.status).toBe(200);
  return res.body as { waitingFor: string; waitingSince: string; status: string; stage: string; history: { reason: string; waitingFor: string | null }[] };
};

/** Once the record caught up with the workflow: its view, which GET /orders/:id answers too. */
const recorded = (orderId: string, what: string, ok: (v: OrderView) => boolean) =>
  waitUntil(`order ${orderId}: ${what}, recorded`, async () => {
    const v = await orderView(h, orderId);
    if (!ok(v)) return undefined;
    const d = await detail(orderId);
    return d.waitingFor === v.waitingFor && d.waitingSince === v.since ? v : undefined;
  }, { timeoutMs: 30_000 });

/** With the worker stopped, GET /orders/:id (and the list) still answers what the workflow said. */
async function answersWithoutTheWorker(orderId: string, view: OrderView) {
  await h.stopWorker();
  try {
    const started = Date.now();
    const d = await detail(orderId);
    expect(Date.now() - started).toBeLessThan(2_000); // not a query timing out: none is asked
    expect(d).toMatchObject({ status: view.status, stage: view.stage, waitingFor: view.waitingFor, waitingSince: view.since });
    const list = await api(h, 'GET', `/orders?status=${view.status}&limit=1000`);
    expect(list.body.orders.find((o: { id: string }) => o.id === orderId)).toMatchObject({ waitingFor: view.waitingFor, waitingSince: view.since });
  } finally {
    await h.startWorker();
  }
}

describe('what an order waits for, from Postgres', () => {
  afterAll(async () => { await configureSim(h.sims.courierUrl, { ...DELIVER, ...QUICK }); });

  it("answers GET /orders/:id's waitingFor as the workflow's query does, with the worker stopped: held, then after a scheduler's retry", async () => {
    await configureSim(h.sims.courierUrl, { ...WRONG_ADDRESS, ...QUICK });
    const res = await api(h, 'POST', '/orders', {
      customerId, offer: { code: 'handset-bundle', name: 'Handset bundle', price: 128, ships: [] }, orders: POLICY,
    }, { 'idempotency-key': uniqueId('waiting') });
    expect(res.status).toBe(201);
    const orderId: string = res.body.id;

    // Held: the delivery failed (wrong address), a scheduler decides.
    const held = await recorded(orderId, 'held', (v) => v.status === 'held');
    expect(held.waitingFor).toBe(WAITING.schedulerDecision);
    await answersWithoutTheWorker(orderId, held);
    // The worker back, the workflow says the same, since the same time.
    expect(await orderView(h, orderId)).toMatchObject({ waitingFor: held.waitingFor, since: held.since });

    // A scheduler's retry: booked again, and the courier takes its time to report.
    await configureSim(h.sims.courierUrl, { ...DELIVER, travelMs: { min: 15_000, max: 15_000 }, reportDelayMs: 0 });
    const retried = await api(h, 'POST', `/orders/${orderId}/delivery/retry`, {});
    expect(retried.status).toBe(200);
    // A change of what it waits for without a move (the booking confirmed): recorded too.
    const booked = await recorded(orderId, "waiting for the courier's outcome", (v) => /courier's outcome for booking .*-d2/.test(v.waitingFor));
    await answersWithoutTheWorker(orderId, booked);
    const { rows: waits } = await h.db.query<{ reason: string; waiting_for: string }>(
      `SELECT reason, waiting_for FROM order_events WHERE order_id = $1 AND kind = 'wait' ORDER BY id`, [orderId]);
    expect(waits.at(-1)).toEqual({ reason: expect.stringMatching(new RegExp(`^booking ${orderId}-d2 confirmed by sf for `)), waiting_for: booked.waitingFor });

    // Delivered, activated, followed up: closed, and the record says so.
    await configureSim(h.sims.courierUrl, { ...DELIVER, ...QUICK });
    const handle = h.client.workflow.getHandle(orderWorkflowId(orderId));
    await waitUntil(`order ${orderId} closed`, async () => (await handle.describe()).status.name === 'COMPLETED', { timeoutMs: 60_000 });
    const end = (await handle.result()) as OrderView;
    const done = await waitUntil('the close recorded', async () => { const d = await detail(orderId); return d.stage === 'done' ? d : undefined; });
    expect(done).toMatchObject({ status: 'completed', waitingFor: WAITING.done, waitingSince: end.since });
    // Each step of the history keeps what the order waited for from then on.
    const step = (reason: RegExp) => done.history.find((e) => reason.test(e.reason));
    expect(step(/^delivery failed \(wrong-address\)/)?.waitingFor).toBe(WAITING.schedulerDecision);
    expect(step(/^scheduler asked for another delivery/)?.waitingFor).toBe(WAITING.newBooking);
    expect(step(/^delivered/)?.waitingFor).toBe(WAITING.activation);
    expect(step(/^activated in the BSS/)?.waitingFor).toBe('the follow-up call, due in 0s');
    expect(done.history.every((e) => e.waitingFor !== null)).toBe(true);

    const history = await replayAndKeep(h, orderWorkflowId(orderId), `order-${HISTORY_LABEL}-waiting-${orderId.slice(-8)}`);
    const patches = (history.events ?? []).flatMap((e) => {
      const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
      return data ? [(JSON.parse(Buffer.from(data).toString()) as { id: string }).id] : [];
    });
    expect(patches).toContain(WAITS_RECORDED_PATCH);

    // An order recorded before the words were kept: worded from its status and stage.
    await h.db.query('UPDATE orders SET waiting_for = NULL, waiting_since = NULL WHERE id = $1', [orderId]);
    const old = await detail(orderId);
    expect(old).toMatchObject({ waitingFor: WAITING.done });
    expect(old.waitingSince).toBe((await api(h, 'GET', `/orders/${orderId}`)).body.updatedAt);
  }, 150_000);
});
