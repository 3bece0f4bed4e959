import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCampaign } from '../support/campaigns';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';
import { postWebhook } from '../support/webhooks';

// What schemathesis found (docs/security.md#fuzzing), each pinned by the request that showed it.

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const paths = (res: { json(): { issues?: { path: string }[] } }) => res.json().issues?.map((i) => i.path);

describe('a NUL character, which Postgres cannot store in text, is a 400 naming the field, wherever it is', () => {
  it('in a body, a query, a path and a key', async () => {
    const inBody = await h.inject({ method: 'POST', url: '/campaigns', payload: { ...testCampaign(uniqueId('nul')), name: 'Spring\u0000' } });
    expect([inBody.statusCode, paths(inBody)]).toEqual([400, ['body.name']]);
    const nested = await h.inject({ method: 'POST', url: '/segments/preview', payload: { segment: { plans: ['plus-58', 'a\u0000'] } } });
    expect([nested.statusCode, paths(nested)]).toEqual([400, ['body.segment.plans.1']]);
    const inQuery = await h.inject({ method: 'GET', url: '/audit?target=x%00y' });
    expect([inQuery.statusCode, paths(inQuery)]).toEqual([400, ['querystring.target']]);
    const inPath = await h.inject({ method: 'GET', url: '/campaigns/x%00y' });
    expect([inPath.statusCode, paths(inPath)]).toEqual([400, ['params.id']]);
    // an unknown key is the schema's 400, whatever it holds
    const inKey = await h.inject({ method: 'PUT', url: '/teams/nul-team', payload: '{"name":"A","x\\u0000":1}', headers: { 'content-type': 'application/json' } });
    expect([inKey.statusCode, paths(inKey)]).toEqual([400, ['body']]);
    // writes refused so are in the audit log like any other, a NUL recorded as U+FFFD
    const stop = await h.inject({ method: 'POST', url: '/campaigns/a%00b/leads/1/stop', payload: { reason: 'x' } });
    expect([stop.statusCode, paths(stop)]).toEqual([400, ['params.id']]);
    // (the answer is recorded once it is sent)
    const answered = (requestId: unknown) => waitUntil('the answer in the audit log', async () => (await h.db.query<{ targets: string[]; outcome: string }>(
      `SELECT targets, outcome FROM audit_log WHERE request_id = $1 AND phase = 'answered'`, [requestId])).rows[0]);
    expect((await answered(stop.headers['x-request-id'])).targets).toContain('a\uFFFDb');
    expect((await answered(inKey.headers['x-request-id'])).outcome).toMatch(/refused: .*x\uFFFD/);
  });

  it('in a signed webhook (an unsigned one learns nothing but its 401)', async () => {
    const report = { callId: 'c\u0000', disposition: 'busy', connected: false, durationSec: 0, endedAt: new Date().toISOString() };
    const signed = await postWebhook(h, 'dialer', report);
    expect([signed.statusCode, paths(signed)]).toEqual([400, ['body.callId']]);
    const unsigned = await h.app.inject({ method: 'POST', url: '/webhooks/dialer', payload: report });
    expect(unsigned.statusCode).toBe(401);
    // a field the report does not have is dropped unread, whatever it holds (its schema takes any)
    const extra = await postWebhook(h, 'dialer', { ...report, callId: uniqueId('no-call'), note: { 'a\u0000': 'b\u0000' } });
    expect(extra.statusCode).toBe(404);
  });
});

describe('times Postgres cannot read are a 400', () => {
  it('a UTC offset beyond ±15:59, or the year 0000', async () => {
    const endedAt = async (at: string) => postWebhook(h, 'dialer', { callId: uniqueId('no-call'), disposition: 'busy', connected: false, durationSec: 0, endedAt: at });
    for (const at of ['2026-12-01T10:00:00+16:00', '2026-12-01T10:00:00-23:59', '0000-01-01T00:00:00Z']) {
      const res = await endedAt(at);
      expect([res.statusCode, paths(res)], at).toEqual([400, ['body.endedAt']]);
    }
    // within the limits the report is read (and its call is unknown)
    expect((await endedAt('2026-12-01T10:00:00+15:59')).statusCode).toBe(404);
    const audit = await h.inject({ method: 'GET', url: `/audit?from=${encodeURIComponent('2026-01-01T00:00:00+20:00')}` });
    expect([audit.statusCode, paths(audit)]).toEqual([400, ['querystring.from']]);
    const courier = await postWebhook(h, 'courier', { deliveryId: 'd', orderId: 'o', outcome: 'delivered', at: '2026-12-01T10:00:00+18:00' });
    expect([courier.statusCode, paths(courier)]).toEqual([400, ['body.at']]);
  });

  it('olderThan past what Postgres counts in seconds (99999d overflowed its int)', async () => {
    const far = await h.inject({ method: 'GET', url: '/deliveries?olderThan=99999d' });
    expect([far.statusCode, paths(far)]).toEqual([400, ['querystring.olderThan']]);
    for (const most of ['9999d', '99999h', '999999m']) expect((await h.inject({ method: 'GET', url: `/deliveries?olderThan=${most}` })).statusCode, most).toBe(200);
  });
});

describe('the answers the document gives', () => {
  it('a method a known path does not take: 405 with Allow, before the token or the body is looked at', async () => {
    const trace = await h.app.inject({ method: 'TRACE', url: '/campaigns?limit=5' });
    expect([trace.statusCode, trace.headers.allow]).toEqual([405, 'GET, HEAD, POST']);
    const query = await h.app.inject({ method: 'QUERY', url: '/orders/o-1', payload: 'x' });
    expect([query.statusCode, query.headers.allow]).toEqual([405, 'GET, HEAD']);
    expect((await h.app.inject({ method: 'DELETE', url: '/health' })).headers.allow).toBe('GET, HEAD');
    expect((await h.app.inject({ method: 'TRACE', url: '/no/such/path' })).statusCode).toBe(404);
  });

  it('a path parameter too long for its schema: 400 (the router said 414)', async () => {
    const res = await h.inject({ method: 'GET', url: `/orders/${'o'.repeat(5000)}` });
    expect([res.statusCode, paths(res)]).toEqual([400, ['params.id']]);
  });

  it('a rule the schema cannot state is a 422 with the field path; one it states, a 400', async () => {
    const backwards = await h.inject({ method: 'POST', url: '/campaigns', payload: {
      ...testCampaign(uniqueId('rule')), startAt: '2030-01-02T09:00:00Z', endAt: '2030-01-01T09:00:00Z',
    } });
    expect([backwards.statusCode, backwards.json().error, paths(backwards)]).toEqual([422, 'rule', ['body.endAt']]);
    const nothing = await h.inject({ method: 'PATCH', url: '/campaigns/x/dialing', payload: {} });
    expect(nothing.statusCode).toBe(400);
    const both = await h.inject({ method: 'POST', url: '/campaigns', payload: { ...testCampaign(uniqueId('rule')), name: '', endAt: '2000-01-01T00:00:00Z', startAt: '2001-01-01T00:00:00Z' } });
    expect(both.statusCode).toBe(400); // the shape is wrong too: a 400, whatever else
  });

  it('every operation documents what its shape can answer, and every 422 its rules', async () => {
    const doc = (await h.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const [path, ops] of Object.entries<Record<string, { requestBody?: unknown; parameters?: { in: string }[]; responses: Record<string, { description: string }> }>>(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const codes = Object.keys(op.responses);
        const where = `${method.toUpperCase()} ${path}`;
        if (op.requestBody || op.parameters?.length) expect(codes, where).toContain('400');
        if (path.includes('{')) expect(codes, where).toContain('404');
        if (method !== 'get') expect(codes, where).toEqual(expect.arrayContaining(['413', '415', '503']));
        if (op.responses['422']) expect(op.responses['422'].description, where).toMatch(/breaks a rule: \S/);
      }
    }
    expect(doc.components.schemas.SegmentRuleInput.anyOf).toHaveLength(4);
  });
});
