import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignWorkflowId, type CampaignProgress } from '../../workflows/campaign/messages';
import { newWebhookSecret } from '../../infra/webhook-secrets';
import { launch, testCampaign } from '../support/campaigns';
import { startHarness, uniqueId, type Harness } from '../support/harness';
import { ownDatabase } from '../support/own-database';
import { parseExposition, sampleValue, type Exposition } from '../support/prometheus';
import { postWebhook, signedWebhook } from '../support/webhooks';

// GET /metrics on the API, on a database of this file's own: the gauges read from Postgres are
// compared with exact counts, which other files' orders would disturb.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    databaseUrl: await ownDatabase('metrics', 60),
    // every call ends busy, soon
    sims: { dialer: { ringMs: { min: 20, max: 80 }, mix: { 'no-answer': 0, busy: 1, 'wrong-number': 0, refused: 0, 'callback-requested': 0, accepted: 0 } } },
  });
});
afterAll(async () => { await h?.close(); });

const scrapeAs = (role?: 'ops' | 'admin' | 'marketing' | 'scheduler') =>
  h.app.inject({ method: 'GET', url: '/metrics', headers: role ? { authorization: `Bearer ${h.token(role)}` } : {} });
async function scrape(): Promise<Exposition> {
  const res = await scrapeAs('ops');
  expect(res.statusCode, res.body).toBe(200);
  return parseExposition(res.body);
}
const value = (e: Exposition, name: string, labels: Record<string, string> = {}) => sampleValue(e, name, labels) ?? 0;

/** An open order of another channel, as the order workflow would have left it. */
async function insertOrder(status: string, stage: string, region = 'gd'): Promise<string> {
  const id = uniqueId('metrics-order');
  await h.db.query(
    `INSERT INTO orders (id, customer_id, region, offer_code, status, stage, address, channel)
     SELECT $1, c.id, c.region, 'fiber-300', $3, $4, c.address, 'api' FROM customers c WHERE c.region = $2 ORDER BY c.id LIMIT 1`,
    [id, region, status, stage]);
  return id;
}

describe('GET /metrics (API)', () => {
  it('asks for an ops token like every read of operations data: 401 without one, 403 for other roles', async () => {
    const none = await scrapeAs();
    expect(none.statusCode).toBe(401);
    for (const role of ['marketing', 'scheduler'] as const) expect((await scrapeAs(role)).statusCode, role).toBe(403);
    expect((await scrapeAs('ops')).statusCode).toBe(200);
    expect((await scrapeAs('admin')).statusCode).toBe(200);
  });

  it('answers the Prometheus text format with the application\'s metrics, Node\'s, and HELP for each', async () => {
    const res = await scrapeAs('ops');
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const e = parseExposition(res.body); // throws on any line that is not the format
    for (const [name, type] of Object.entries({
      telemarketing_http_request_duration_seconds: 'histogram',
      telemarketing_webhook_verification_failures_total: 'counter',
      telemarketing_orders: 'gauge',
      telemarketing_held_deliveries: 'gauge',
      telemarketing_held_delivery_oldest_seconds: 'gauge',
      telemarketing_report_duration_seconds: 'histogram',
      telemarketing_campaign_calls_total: 'counter',
      telemarketing_telemetry_scrape_errors_total: 'counter',
      process_cpu_seconds_total: 'counter',
      nodejs_eventloop_lag_seconds: 'gauge',
    })) {
      expect(e.types.get(name), name).toBe(type);
      expect(e.help.get(name)?.length, name).toBeGreaterThan(20);
    }
    // the requests made so far, by route pattern and status (the 401 of the test before among them)
    expect(value(e, 'telemarketing_http_request_duration_seconds_count', { route: '/metrics', method: 'GET', status: '401' })).toBeGreaterThanOrEqual(1);
    // known label values start at 0
    expect(sampleValue(e, 'telemarketing_webhook_verification_failures_total', { sender: 'courier', reason: 'too-old' })).toBeDefined();
    expect(sampleValue(e, 'telemarketing_campaign_calls_total', { disposition: 'accepted' })).toBeDefined();
    // an id never becomes a label: paths are counted by their pattern
    await h.inject({ method: 'GET', url: '/orders/no-such-order' });
    const after = await scrape();
    expect(value(after, 'telemarketing_http_request_duration_seconds_count', { route: '/orders/:id', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(after.samples.some((s) => Object.values(s.labels).includes('/orders/no-such-order'))).toBe(false);
  });

  it('counts a webhook refused for its signature, by sender and reason', async () => {
    const before = await scrape();
    const forged = await h.app.inject(signedWebhook(newWebhookSecret(), '/webhooks/courier', { deliveryId: 'x' }));
    expect(forged.statusCode).toBe(401);
    const stale = await postWebhook(h, 'dialer', { callId: 'x' }, { at: new Date(Date.now() - 10 * 60_000) });
    expect(stale.statusCode).toBe(401);
    const after = await scrape();
    const delta = (sender: string, reason: string) =>
      value(after, 'telemarketing_webhook_verification_failures_total', { sender, reason }) - value(before, 'telemarketing_webhook_verification_failures_total', { sender, reason });
    expect(delta('courier', 'no-match')).toBe(1);
    expect(delta('dialer', 'too-old')).toBe(1);
    expect(delta('dialer', 'no-match')).toBe(0);
  });

  it('reads the open orders by status and stage, and the held deliveries by region and age, from Postgres at the scrape', async () => {
    const before = await scrape();
    await insertOrder('inProgress', 'activation');
    await insertOrder('inProgress', 'activation');
    await insertOrder('failed', 'done'); // closed: not counted
    const held = await insertOrder('held', 'delivery', 'gd');
    await h.db.query(
      `INSERT INTO deliveries (id, order_id, attempt, address, outcome, outcome_at) SELECT $1 || '-d1', id, 1, address, 'wrong-address', now() - interval '2 days' FROM orders WHERE id = $1`,
      [held]);
    const outOfStock = await insertOrder('held', 'delivery', 'gd'); // held for stock, not in the dispatchers' queue
    await h.db.query(`UPDATE orders SET hold_reason = 'out-of-stock' WHERE id = $1`, [outOfStock]);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels);
    expect(delta('telemarketing_orders', { status: 'inProgress', stage: 'activation' })).toBe(2);
    expect(delta('telemarketing_orders', { status: 'held', stage: 'delivery' })).toBe(2);
    expect(sampleValue(after, 'telemarketing_orders', { stage: 'done' })).toBeUndefined();
    expect(delta('telemarketing_held_deliveries', { region: 'gd', age: '1d-3d' })).toBe(1);
    expect(delta('telemarketing_held_deliveries', { region: 'gd' })).toBe(1);
    expect(value(after, 'telemarketing_held_delivery_oldest_seconds', { region: 'gd' })).toBeGreaterThanOrEqual(2 * 86_400);
  });

  it('answers in time without the Postgres gauges when Postgres is slow, and counts the scrape error', async () => {
    await insertOrder('acknowledged', 'delivery');
    const before = await scrape();
    expect(value(before, 'telemarketing_orders')).toBeGreaterThan(0);
    // A lock on orders makes the gauges' read wait past its deadline (2 s).
    const locker = await h.db.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
      const t0 = Date.now();
      const res = await scrapeAs('ops');
      const took = Date.now() - t0;
      expect(res.statusCode).toBe(200);
      expect(took).toBeLessThan(5_000);
      const e = parseExposition(res.body);
      expect(sampleValue(e, 'telemarketing_orders')).toBeUndefined();
      expect(sampleValue(e, 'telemarketing_held_deliveries')).toBeUndefined();
      expect(value(e, 'telemarketing_telemetry_scrape_errors_total', { source: 'postgres' }) - value(before, 'telemarketing_telemetry_scrape_errors_total', { source: 'postgres' })).toBe(1);
      expect(value(e, 'process_cpu_seconds_total')).toBeGreaterThan(0); // the rest is all there
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
    }
    // and back once Postgres answers
    expect(value(await scrape(), 'telemarketing_orders')).toBeGreaterThan(0);
  });

  it('counts each campaign call once by its disposition, however often its webhook comes', async () => {
    const before = await scrape();
    const id = uniqueId('metrics-calls');
    await launch(h, testCampaign(id, { segment: { maxLeads: 5 }, dialing: { maxConcurrentCalls: 5, maxAttempts: 2, retryDelaySeconds: 1 } }));
    const result: CampaignProgress = await h.client.workflow.getHandle(campaignWorkflowId(id)).result();
    expect(result.status).toBe('completed');
    const { rows } = await h.db.query<{ id: string; disposition: string; ended_at: Date }>(
      `SELECT id, disposition, ended_at FROM call_attempts WHERE campaign_id = $1 AND purpose = 'sales'`, [id]);
    expect(rows.length).toBe(10); // 5 leads, 2 attempts each, every one busy
    const after = await scrape();
    const busy = (e: Exposition) => value(e, 'telemarketing_campaign_calls_total', { disposition: 'busy' });
    expect(busy(after) - busy(before)).toBe(10);
    expect(value(after, 'telemarketing_campaign_calls_total') - value(before, 'telemarketing_campaign_calls_total')).toBe(10);

    // the dialer posts an outcome again (a retry of its webhook): answered as a duplicate, not counted again
    const call = rows[0]!;
    const again = await postWebhook(h, 'dialer', {
      callId: call.id, disposition: 'busy', connected: false, durationSec: 0, endedAt: call.ended_at.toISOString(),
    });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ duplicate: true });
    expect(busy(await scrape())).toBe(busy(after));
  });

  it('is documented in the OpenAPI document under ops, as text for ops', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, any>> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    const op = doc.paths['/metrics']!.get!;
    expect(op.tags).toEqual(['ops']);
    expect(op['x-roles']).toEqual(['ops', 'admin']);
    expect(Object.keys(op.responses['200'].content)).toEqual(['text/plain']);
    expect(op.responses['200'].content['text/plain'].schema).toMatchObject({ type: 'string' });
  });
});
