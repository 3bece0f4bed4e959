import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCampaign } from '../support/campaigns';
import { startHarness, uniqueId, type Harness } from '../support/harness';
import { postWebhook } from '../support/webhooks';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

// Other test files create campaigns at the same time, so "nothing written" is checked for the ids
// and names these requests carry, not by counting the whole table.
const written = async () => Number((await h.db.query<{ n: string }>(
  `SELECT count(*) AS n FROM campaigns WHERE id LIKE 'bad-%' OR name LIKE 'test bad-%'`)).rows[0]!.n);

// 400: the request breaks its schema; 422: it breaks a rule the schema cannot state (a region we do not have, a role's ceiling).
interface Case { name: string; body: unknown; path: string; as?: 'marketing'; status?: 422 }
const valid = () => testCampaign(uniqueId('bad'));
const cases: Case[] = [
  { name: 'missing name', body: (({ name: _n, ...rest }) => rest)(valid()), path: 'body.name' },
  { name: 'price of the wrong type', body: { ...valid(), offer: { code: 'x1', name: 'X', price: 'cheap' } }, path: 'body.offer.price' },
  { name: 'an unknown field', body: { ...valid(), budget: 1000 }, path: 'body' },
  { name: 'an unknown nested field', body: { ...valid(), dialing: { maxConcurrentCalls: 5, turbo: true } }, path: 'body.dialing' },
  { name: 'negative concurrency', body: { ...valid(), dialing: { maxConcurrentCalls: -1 } }, path: 'body.dialing.maxConcurrentCalls' },
  { name: 'absurd concurrency', body: { ...valid(), dialing: { maxConcurrentCalls: 1e9 } }, path: 'body.dialing.maxConcurrentCalls' },
  { name: 'a fractional attempt count', body: { ...valid(), dialing: { maxAttempts: 2.5 } }, path: 'body.dialing.maxAttempts' },
  { name: 'an oversized name', body: { ...valid(), name: 'x'.repeat(10_000) }, path: 'body.name' },
  { name: 'a bad id', body: { ...valid(), id: 'Not An Id!' }, path: 'body.id' },
  { name: 'an unknown region', body: { ...valid(), segment: { regions: ['zz'], maxLeads: 5 } }, path: 'body.segment.regions.0', status: 422 },
  { name: 'an empty region list', body: { ...valid(), segment: { regions: [], maxLeads: 5 } }, path: 'body.segment.regions' },
  { name: 'a list of no stated size', body: { ...valid(), segment: { regions: ['gd'] } }, path: 'body.segment.maxLeads' },
  { name: 'no list at all', body: (({ segment: _s, ...rest }) => rest)(valid()), path: 'body.segment' },
  { name: 'a size and everyone at once', body: { ...valid(), segment: { maxLeads: 5, everyone: true } }, path: 'body.segment.everyone', status: 422 },
  { name: 'more leads than marketing may list', body: { ...valid(), segment: { maxLeads: 200_001 } }, path: 'body.segment.maxLeads', as: 'marketing', status: 422 },
  { name: 'a body that is not an object', body: [1, 2, 3], path: 'body' },
];

describe('POST /campaigns refuses bad input with the field path, and writes nothing', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const before = await written();
      const headers = c.as ? { authorization: `Bearer ${h.token(c.as)}` } : {};
      const res = await h.inject({ method: 'POST', url: '/campaigns', payload: c.body as object, headers });
      expect(res.statusCode).toBe(c.status ?? 400);
      const body = res.json();
      expect(body.issues.map((i: { path: string }) => i.path)).toContain(c.path);
      expect(body.message).toContain(c.path);
      expect(await written()).toBe(before);
    });
  }

  it('the whole segment: refused to marketing (403), taken from an admin', async () => {
    const everyone = { ...valid(), segment: { regions: ['mo'], everyone: true }, startAt: new Date(Date.now() + 3_600_000).toISOString() };
    const refused = await h.inject({ method: 'POST', url: '/campaigns', payload: everyone, headers: { authorization: `Bearer ${h.token('marketing')}` } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toMatch(/only an admin may list a whole segment/);
    const taken = await h.inject({ method: 'POST', url: '/campaigns', payload: everyone });
    expect(taken.statusCode).toBe(201);
    expect((await h.inject({ method: 'POST', url: `/campaigns/${everyone.id}/cancel` })).statusCode).toBe(200);
  });

  it('malformed JSON', async () => {
    const res = await h.inject({ method: 'POST', url: '/campaigns', headers: { 'content-type': 'application/json' }, payload: '{"name": "x",' });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/JSON/i);
  });

  it('a body over the size limit', async () => {
    const res = await h.inject({ method: 'POST', url: '/campaigns', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'x'.repeat(300_000) }) });
    expect(res.statusCode).toBe(413);
  });

  it('a wrong content type', async () => {
    const res = await h.inject({ method: 'POST', url: '/campaigns', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0].path).toBe('body');
    const xml = await h.inject({ method: 'POST', url: '/campaigns', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(xml.statusCode).toBe(415);
  });
});

describe('idempotent launch', () => {
  it('the same Idempotency-Key returns the existing campaign, a different body under it conflicts', async () => {
    const def = testCampaign(uniqueId('idem'), { segment: { maxLeads: 1 } });
    const { id: _omit, ...noId } = def;
    const key = uniqueId('key');
    const first = await h.inject({ method: 'POST', url: '/campaigns', payload: noId, headers: { 'idempotency-key': key } });
    expect(first.statusCode).toBe(201);
    const again = await h.inject({ method: 'POST', url: '/campaigns', payload: noId, headers: { 'idempotency-key': key } });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    const other = await h.inject({ method: 'POST', url: '/campaigns', payload: { ...noId, name: 'other' }, headers: { 'idempotency-key': key } });
    expect(other.statusCode).toBe(409);
    const { rows } = await h.db.query('SELECT count(*)::int AS n FROM campaigns WHERE idempotency_key = $1', [key]);
    expect(rows[0].n).toBe(1);
  });

  it('the same client-given id returns the existing campaign', async () => {
    const def = testCampaign(uniqueId('same-id'), { segment: { maxLeads: 1 } });
    const a = await h.inject({ method: 'POST', url: '/campaigns', payload: def });
    const b = await h.inject({ method: 'POST', url: '/campaigns', payload: def });
    expect([a.statusCode, b.statusCode]).toEqual([201, 200]);
    expect(b.json()).toMatchObject({ id: def.id, workflowId: `campaign-${def.id}` });
  });
});

describe('other routes', () => {
  const expect4xx = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, status: number, payload?: unknown, path?: string) => {
    const res = await h.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}) });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
    if (path) expect(res.json().issues.map((i: { path: string }) => i.path)).toContain(path);
  };

  it('unknown ids are 404', async () => {
    await expect4xx('GET', '/campaigns/no-such-campaign', 404);
    await expect4xx('POST', '/campaigns/no-such-campaign/pause', 404);
    await expect4xx('GET', '/orders/no-such-order', 404);
    await expect4xx('POST', '/orders/no-such-order/cancel', 404, { reason: 'x' });
    await expect4xx('POST', '/orders/no-such-order/delivery/retry', 404, {});
    await expect4xx('GET', '/deliveries/retry/no-such-job', 404);
    await expect4xx('POST', '/deliveries/retry/no-such-job/cancel', 404);
    await expect4xx('GET', '/no/such/route', 404);
  });

  it('bad query strings and bodies name the field', async () => {
    await expect4xx('GET', '/orders?status=lost', 400, undefined, 'querystring.status');
    await expect4xx('GET', '/orders?limit=-1', 400, undefined, 'querystring.limit');
    await expect4xx('GET', '/orders?limit=abc', 400, undefined, 'querystring.limit');
    await expect4xx('GET', '/orders?sort=id', 400);
    await expect4xx('POST', '/orders/x/cancel', 400, {}, 'body.reason');
    await expect4xx('POST', '/orders/x/cancel', 400, { reason: 'y'.repeat(501) }, 'body.reason');
    await expect4xx('POST', '/orders/x/delivery/retry', 400, { slot: 'tomorrow' }, 'body.slot');
    await expect4xx('POST', '/orders/x/delivery/retry', 400, { courier: 'Fast!' }, 'body.courier');
    await expect4xx('POST', '/orders/x/delivery/retry', 400, { region: 'bj' }, 'body.address');
    await expect4xx('POST', '/orders/x/delivery/retry', 400, { speed: 'fast' });
    await expect4xx('POST', '/orders', 400, { customerId: 1, offer: { code: 'x1', name: 'X', price: 1 } }, 'headers.idempotency-key');
    const order = { customerId: 1, offer: { code: 'x1', name: 'X', price: 1 } };
    await h.inject({ method: 'POST', url: '/orders', payload: { ...order, customerId: -1 }, headers: { 'idempotency-key': 'k1' } })
      .then((r) => expect(r.json().issues[0].path).toBe('body.customerId'));
    await h.inject({ method: 'POST', url: '/orders', payload: { ...order, offer: { ...order.offer, collect: { method: 'cheque', amount: 5 } } }, headers: { 'idempotency-key': 'k1' } })
      .then((r) => expect(r.json().issues[0].path).toBe('body.offer.collect.method'));
    await h.inject({ method: 'POST', url: '/orders', payload: { ...order, customerId: 999_999_999 }, headers: { 'idempotency-key': 'k1' } })
      .then((r) => expect(r.statusCode).toBe(404));
    await h.inject({ method: 'POST', url: '/orders', payload: order, headers: { 'idempotency-key': 'no spaces' } })
      .then((r) => expect(r.statusCode).toBe(400));
    await expect4xx('POST', '/orders/x/delivery/reschedule', 400, {}, 'body.slot');
    await expect4xx('POST', '/orders/x/delivery/reschedule', 400, { slot: 'tomorrow' }, 'body.slot');
    await expect4xx('POST', '/orders/x/delivery/reschedule', 400, { slot: '0000-01-01T00:00:00Z' }, 'body.slot');
    await expect4xx('POST', '/orders/x/delivery/retry', 422, { slot: '2020-01-01T09:00:00+08:00' }, 'body.slot');
    await expect4xx('GET', '/couriers/sf/settlement?date=0000-01-01', 400, undefined, 'querystring.date');
    await expect4xx('POST', '/orders/x/delivery/reassign', 400, {}, 'body.courier');
    await expect4xx('POST', '/orders/x/delivery/reassign', 400, { courier: 'SF Express' }, 'body.courier');
    await expect4xx('POST', '/orders/x/delivery/reassign', 404, { courier: 'sf' });
    await expect4xx('GET', '/stock?warehouse=WH%20South', 400, undefined, 'querystring.warehouse');
    await expect4xx('GET', '/stock?colour=red', 400);
    await expect4xx('GET', '/stock/shortages?sku=SIM%20card', 400, undefined, 'querystring.sku');
    await expect4xx('GET', '/stock/shortages?since=yesterday', 400);
    await expect4xx('POST', '/warehouses/wh-south/receipts', 400, {}, 'body.reference');
    await expect4xx('POST', '/warehouses/wh-south/receipts', 400, { reference: 'n1', sku: 'sim-card', qty: 0 }, 'body.qty');
    await expect4xx('POST', '/warehouses/wh-south/receipts', 400, { reference: 'n1', sku: 'SIM card', qty: 1 }, 'body.sku');
    await expect4xx('POST', '/warehouses/nowhere/receipts', 404, { reference: 'n1', sku: 'sim-card', qty: 1 });
    await expect4xx('GET', '/couriers/sf/settlement', 400, undefined, 'querystring.date');
    await expect4xx('GET', '/couriers/sf/settlement?date=2026-13-01', 400, undefined, 'querystring.date');
    await expect4xx('GET', '/couriers/nobody/settlement?date=2026-11-01', 404);
    await expect4xx('GET', '/deliveries?reason=stolen', 400, undefined, 'querystring.reason');
    await expect4xx('GET', '/deliveries?olderThan=yesterday', 400, undefined, 'querystring.olderThan');
    await expect4xx('GET', '/deliveries?region=Guangdong', 400, undefined, 'querystring.region');
    await expect4xx('GET', '/deliveries?escalated=maybe', 400, undefined, 'querystring.escalated');
    await expect4xx('GET', '/deliveries?status=delivered', 400, undefined, 'querystring.status');
    await expect4xx('GET', `/deliveries?campaignId=${'c'.repeat(64)}`, 400, undefined, 'querystring.campaignId');
  });

  it('the bulk retry names the field, and a refused request starts no job', async () => {
    const key = uniqueId('bad-job');
    const retry = (body: Record<string, unknown>) => ({ idempotencyKey: key, filter: {}, ...body });
    await expect4xx('POST', '/deliveries/retry', 400, {}, 'body.idempotencyKey');
    await expect4xx('POST', '/deliveries/retry', 400, { idempotencyKey: key }, 'body.filter');
    await expect4xx('POST', '/deliveries/retry', 400, retry({ idempotencyKey: 'not a key!' }), 'body.idempotencyKey');
    await expect4xx('POST', '/deliveries/retry', 400, retry({ idempotencyKey: 'k'.repeat(101) }), 'body.idempotencyKey');
    await expect4xx('POST', '/deliveries/retry', 400, retry({ filter: { reason: 'stolen' } }), 'body.filter.reason');
    await expect4xx('POST', '/deliveries/retry', 400, retry({ filter: { region: 'Guangdong' } }), 'body.filter.region');
    await expect4xx('POST', '/deliveries/retry', 400, retry({ filter: { olderThan: 'yesterday' } }), 'body.filter.olderThan');
    await expect4xx('POST', '/deliveries/retry', 400, retry({ filter: { escalated: 'maybe' } }), 'body.filter.escalated');
    await expect4xx('POST', '/deliveries/retry', 400, retry({ filter: { courier: 'fast' } }), 'body.filter');
    await expect4xx('POST', '/deliveries/retry', 400, retry({ slot: 'tomorrow' }), 'body.slot');
    await expect4xx('POST', '/deliveries/retry', 400, retry({ limit: 0 }), 'body.limit');
    await expect4xx('POST', '/deliveries/retry', 400, retry({ limit: 10_001 }), 'body.limit');
    await expect4xx('POST', '/deliveries/retry', 400, retry({ limit: 2.5 }), 'body.limit');
    await expect4xx('POST', '/deliveries/retry', 400, retry({ priority: 'high' }), 'body');
    await expect4xx('GET', '/deliveries/retry/not%20a%20key', 400, undefined, 'params.jobId');
    await expect4xx('POST', '/deliveries/retry/not%20a%20key/cancel', 400, undefined, 'params.jobId');
    await expect4xx('GET', `/deliveries/retry/${key}`, 404);
  });

  it('teams, agents, preview and settings routes name the field, and unknown ones are 404', async () => {
    await expect4xx('PUT', '/teams/Bad Team', 400, { name: 'x' }, 'params.code');
    await expect4xx('PUT', '/teams/ok-team', 400, {}, 'body.name');
    await expect4xx('PUT', '/agents/a1', 400, { name: 'A' }, 'body.team');
    await expect4xx('PUT', '/agents/a1', 404, { team: 'no-such-team', name: 'A' });
    await expect4xx('PUT', '/agents/a1', 400, { team: 'ok-team', name: 'A', active: 'yes' }, 'body.active');
    await expect4xx('GET', '/agents?team=BAD!', 400, undefined, 'querystring.team');
    await expect4xx('POST', '/campaigns/no-such-campaign/next-lead', 404, { agentId: 'a1' });
    await expect4xx('POST', '/campaigns/x/next-lead', 422, {}, 'body.agentId');
    await expect4xx('POST', '/campaigns/x/leads/1/report', 400, { agentId: 'a1', disposition: 'maybe' }, 'body.disposition');
    await expect4xx('POST', '/campaigns/x/leads/1/report', 400, { agentId: 'a1', disposition: 'busy', callbackAt: new Date().toISOString() }, 'body.callbackAt');
    await expect4xx('POST', '/campaigns/x/leads/one/report', 400, { agentId: 'a1', disposition: 'busy' }, 'params.leadId');
    await expect4xx('POST', '/campaigns/no-such-campaign/leads/1/report', 404, { agentId: 'a1', disposition: 'busy' });
    await expect4xx('PATCH', '/campaigns/x/settings', 400, { pacing: { mode: 'turbo' } }, 'body.pacing.mode');
    await expect4xx('PATCH', '/campaigns/x/settings', 400, { pacing: { callsPerAgent: 9 } }, 'body.pacing.callsPerAgent');
    await expect4xx('PATCH', '/campaigns/x/settings', 400, { window: { start: '25:00', end: '26:00' } }, 'body.window.start');
    await expect4xx('PATCH', '/campaigns/x/settings', 400, { speed: 'fast' }, 'body');
    await expect4xx('PATCH', '/campaigns/no-such-campaign/settings', 404, { dialing: { maxAttempts: 2 } });
    // a campaign naming a team we do not have
    await expect4xx('POST', '/campaigns', 422, { ...testCampaign(uniqueId('bad')), team: 'no-such-team' }, 'body.team');
    await expect4xx('POST', '/campaigns', 422, { ...testCampaign(uniqueId('bad')), pacing: { mode: 'preview' } }, 'body.team');
  });

  it('webhooks refuse malformed outcomes and unknown calls (signed: unsigned ones are refused before, test/api/webhook-signatures.test.ts)', async () => {
    const expectWebhook = async (sender: 'dialer' | 'courier', status: number, body: unknown, path?: string) => {
      const res = await postWebhook(h, sender, body);
      expect(res.statusCode, `${sender}: ${res.body}`).toBe(status);
      if (path) expect(res.json().issues.map((i: { path: string }) => i.path)).toContain(path);
    };
    await expectWebhook('dialer', 400, { callId: 'c1', disposition: 'maybe', connected: true, durationSec: 1, endedAt: new Date().toISOString() }, 'body.disposition');
    await expectWebhook('dialer', 404, { callId: 'no-such-call', disposition: 'busy', connected: false, durationSec: 0, endedAt: new Date().toISOString() });
    await expectWebhook('courier', 400, { deliveryId: 'd', orderId: 'o', outcome: 'lost', at: 'now' });
  });

  it('health and OpenAPI answer', async () => {
    const health = await h.inject({ method: 'GET', url: '/health' });
    expect(health.json()).toMatchObject({ ok: true, postgres: { ok: true }, temporal: { ok: true } });
    const spec = await h.inject({ method: 'GET', url: '/docs/json' });
    expect(spec.statusCode).toBe(200);
    expect(Object.keys(spec.json().paths)).toEqual(expect.arrayContaining(['/campaigns', '/campaigns/{id}', '/orders/{id}/delivery/retry', '/stock', '/stock/shortages', '/warehouses/{code}/receipts', '/couriers/{code}/settlement', '/deliveries/retry', '/deliveries/retry/{jobId}']));
  });
});
