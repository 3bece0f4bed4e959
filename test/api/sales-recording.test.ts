import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeadOrder } from '../../activities/order/create';
import { OrderPolicySchema } from '../../domain/campaign/campaign';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';
import { lockMonth } from '../../db/sales-points/month-lock';

/**
 * Recording sales (docs/sales-points.md): POST /sales with the one-entry rule, idempotency and
 * closed months, GET /sales, the sales file, and the entries orders make for their seller.
 */
let h: Harness;
const run = uniqueId('rec').slice(-8);
const svc = `vas-${run}`;
const late = `late-${run}`; // a service whose terms start in 2026-06
const [S1, S2, OFF, AGENT] = [`S1${run}`, `S2${run}`, `S3${run}`, `A1${run}`];
const as = (role: 'staff' | 'agent' | 'finance' | 'marketing', sub: string) => ({ authorization: `Bearer ${h.token(role, sub)}` });
const sale = (payload: object, headers: Record<string, string> = as('staff', S1)) => h.inject({ method: 'POST', url: '/sales', payload, headers });
const entries = async (where: string, ...params: unknown[]) =>
  (await h.db.query<{ staff_id: string; source: string; sale_channel: string; month: string; campaign_id: string | null }>(
    `SELECT staff_id, source, sale_channel, to_char(month, 'YYYY-MM') AS month, campaign_id FROM sales_entries WHERE ${where} ORDER BY id`, params)).rows;
let msisdnOf: (customerId: number) => Promise<string>;

beforeAll(async () => {
  h = await startHarness();
  msisdnOf = async (id) => (await h.db.query<{ msisdn: string }>('SELECT msisdn FROM customers WHERE id = $1', [id])).rows[0]!.msisdn;
  await h.inject({ method: 'PUT', url: `/sales-points/departments/d-${run}`, payload: { name: 'Dept' } });
  await h.inject({ method: 'PUT', url: `/sales-points/areas/a-${run}`, payload: { name: 'Area', department: `d-${run}` } });
  await h.inject({ method: 'PUT', url: `/sales-points/outlets/o-${run}`, payload: { name: 'Shop', area: `a-${run}`, channel: 'partner' } });
  await h.inject({ method: 'PUT', url: `/sales-points/outlets/cc-${run}`, payload: { name: 'Call centre', area: `a-${run}`, channel: 'own' } });
  for (const [id, name, outlet, active] of [[S1, '王芳', `o-${run}`, true], [S2, '李娜', `o-${run}`, true], [OFF, 'Gone', `o-${run}`, false], [AGENT, 'Agent One', `cc-${run}`, true]] as const) {
    expect((await h.inject({ method: 'PUT', url: `/sales-points/staff/${id}`, payload: { name, outlet, active } })).statusCode).toBe(201);
  }
  for (const [code, from] of [[svc, '2023-12-01'], [late, '2026-06-01']] as const) {
    await h.inject({ method: 'PUT', url: `/sales-points/services/${code}`, payload: { name: code } });
    expect((await h.inject({ method: 'POST', url: `/sales-points/services/${code}/terms`, payload: { effectiveFrom: from, monthlyTariff: 58, points: 15 } })).statusCode).toBe(201);
  }
  await h.db.query(`INSERT INTO sales_point_runs (month, status) VALUES ('2024-01-01', 'closed') ON CONFLICT DO NOTHING`);
});
afterAll(async () => { await h?.close(); });

describe('POST /sales', () => {
  it('records a sale for the caller with their organisation, in the month of the operator\'s zone', async () => {
    const res = await sale({ serviceCode: svc, msisdn: '+86 139-0000-0001', soldAt: '2026-07-31T17:30:00Z' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      month: '2026-08', serviceCode: svc, msisdn: '13900000001', staffId: S1, staffName: '王芳', outlet: `o-${run}`, area: `a-${run}`,
      department: `d-${run}`, channel: 'partner', saleChannel: 'shop', source: 'staff', recordedBy: `${S1} (staff)`,
    });
  });

  it('refuses a second sale of the number and service in the month, naming the first entry\'s owner', async () => {
    const second = await sale({ serviceCode: svc, msisdn: '13900000001', soldAt: '2026-08-20T10:00:00+08:00' }, as('agent', S2));
    expect(second.statusCode).toBe(409);
    expect(second.json().message).toMatch(new RegExp(`one entry per customer per service per month: .* recorded by ${S1} \\(王芳\\), outlet o-${run}`));
    expect(second.json().firstEntry).toMatchObject({ staffId: S1, staffName: '王芳', outlet: `o-${run}`, soldAt: '2026-07-31T17:30:00.000Z', source: 'staff' });
    // Another month, another service: sales of their own.
    expect((await sale({ serviceCode: svc, msisdn: '13900000001', soldAt: '2026-07-20T10:00:00+08:00' }, as('agent', S2))).json()).toMatchObject({ saleChannel: 'hotline', month: '2026-07' });
    expect((await sale({ serviceCode: late, msisdn: '13900000001', soldAt: '2026-08-20T10:00:00+08:00' }, as('agent', S2))).statusCode).toBe(201);
  });

  it('lets one of many racing sales of a number win, and refuses the others with its owner', async () => {
    const body = { serviceCode: svc, msisdn: '13900000009', soldAt: '2026-08-09T10:00:00+08:00' };
    const answers = await Promise.all([S1, S2, S1, S2, S1, S2].map((who) => sale(body, as('staff', who))));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const winner = answers.find((a) => a.statusCode === 201)!.json();
    expect(answers.filter((a) => a.statusCode === 409).every((a) => a.json().firstEntry.id === winner.id)).toBe(true);
  });

  it('answers a retried POST with its entry, and a key used for another sale with a 409', async () => {
    const body = { serviceCode: svc, msisdn: '13900000002', soldAt: '2026-08-02T10:00:00+08:00' };
    const key = { 'idempotency-key': `k-${run}`, ...as('staff', S2) };
    const first = await sale(body, key);
    expect(first.statusCode).toBe(201);
    const again = await sale(body, key);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    expect((await sale({ ...body, msisdn: '13900000003' }, key)).statusCode).toBe(409);
    // The same key is another person's own.
    expect((await sale({ ...body, msisdn: '13900000004' }, { 'idempotency-key': `k-${run}`, ...as('staff', S1) })).statusCode).toBe(201);
  });

  it("checks the cut-off under the month's lock: a sale waiting on a run that is beginning finds it begun", async () => {
    const client = await h.db.connect();
    try {
      await client.query('BEGIN');
      await lockMonth(client, '2023-12'); // what the run's start holds while it writes its row
      const pending = sale({ serviceCode: svc, msisdn: '13900000099', soldAt: '2023-12-15T10:00:00+08:00' });
      await waitUntil('the sale waiting on the month', async () =>
        (await h.db.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND mode = 'ShareLock' AND NOT granted`)).rowCount! > 0);
      await client.query(`INSERT INTO sales_point_runs (month, status) VALUES ('2023-12-01', 'importing')`);
      await client.query('COMMIT');
      const res = await pending;
      expect(res.statusCode).toBe(409);
      expect(res.json().message).toMatch(/month 2023-12 is being reconciled/);
    } finally {
      client.release();
    }
  });

  it('refuses a sale in a closed month, in the future, of no service or terms, by no active staff member', async () => {
    const closed = await sale({ serviceCode: svc, msisdn: '13900000005', soldAt: '2024-01-15T10:00:00+08:00' });
    expect(closed.statusCode).toBe(409);
    expect(closed.json().message).toMatch(/month 2024-01 is closed/);
    const path = async (payload: object, headers = as('staff', S1)) => {
      const res = await sale(payload, headers);
      expect(res.statusCode).toBe(422);
      return res.json().issues[0].path;
    };
    expect(await path({ serviceCode: svc, msisdn: '13900000005', soldAt: new Date(Date.now() + 3_600_000).toISOString() })).toBe('body.soldAt');
    expect(await path({ serviceCode: `none-${run}`, msisdn: '13900000005' })).toBe('body.serviceCode');
    expect(await path({ serviceCode: late, msisdn: '13900000005', soldAt: '2026-05-31T10:00:00+08:00' })).toBe('body.soldAt');
    expect(await path({ serviceCode: svc, msisdn: '12345' })).toBe('body.msisdn');
    expect(await path({ serviceCode: svc, msisdn: '13900000005' }, as('staff', OFF))).toBe('token.sub');
    expect(await path({ serviceCode: svc, msisdn: '13900000005', staffId: S2 })).toBe('body.staffId');
    expect(await path({ serviceCode: svc, msisdn: '13900000005', customerId: 999_999_999 })).toBe('body.customerId');
    expect((await sale({ serviceCode: svc, msisdn: '13900000005' }, as('marketing', S1))).statusCode).toBe(403);
    // An admin names whose sale it is.
    expect((await h.inject({ method: 'POST', url: '/sales', payload: { serviceCode: svc, msisdn: '13900000005', staffId: S2 } })).json()).toMatchObject({ staffId: S2, recordedBy: 'dev-admin (admin)' });
  });
});

describe('GET /sales', () => {
  it('shows staff their own sales only, finance everyone\'s, numbers masked', async () => {
    const mine = (await h.inject({ method: 'GET', url: `/sales?staffId=${S2}&month=2026-08`, headers: as('staff', S1) })).json();
    expect(mine.entries.length).toBeGreaterThan(0);
    expect(mine.entries.every((e: { staffId: string }) => e.staffId === S1)).toBe(true);
    const all = (await h.inject({ method: 'GET', url: `/sales?outlet=o-${run}&month=2026-08`, headers: as('finance', 'f1') })).json();
    expect(new Set(all.entries.map((e: { staffId: string }) => e.staffId))).toEqual(new Set([S1, S2]));
    expect(all.entries[0].msisdn).toMatch(/^139\*{4}\d{4}$/);
    expect((await h.inject({ method: 'GET', url: '/sales', headers: as('marketing', 'm1') })).statusCode).toBe(403);
  });
});

describe('POST /sales/import', () => {
  const file = (lines: string[]) => ['staff_id,service_code,msisdn,sold_at,sale_channel,customer_id', ...lines].join('\n');
  const post = (text: string, headers: Record<string, string> = {}) =>
    h.inject({ method: 'POST', url: '/sales/import', payload: text, headers: { 'content-type': 'text/csv', ...headers } });

  it('records the good lines and lists the refused with their reason and the first entry\'s owner', async () => {
    const res = await post(file([
      `${S1},${svc},13900000101,2026-08-03T10:00:00+08:00,field,`,
      `${S2},${svc},13900000101,2026-08-04T10:00:00+08:00,,`, // the same number, service and month as line 2
      `${S2},${svc},13900000001,2026-08-05T10:00:00+08:00,,`, // recorded by S1 through POST /sales
      `${S2},${svc},13900000102,2024-01-05T10:00:00+08:00,,`, // a closed month
      `${S2},${svc},13900000103,,,`,
    ]));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ lines: 5, recorded: 2 });
    expect(res.json().refused).toEqual([
      { line: 3, reason: 'duplicate-in-file', message: expect.stringMatching(/line 2/) },
      { line: 4, reason: 'already-recorded', message: expect.stringMatching(new RegExp(`recorded by ${S1}`)), firstEntry: expect.objectContaining({ staffId: S1 }) },
      { line: 5, reason: 'month-closed', message: expect.stringMatching(/2024-01 is closed/) },
    ]);
    expect(await entries(`msisdn = '13900000101' AND service_code = $1`, svc)).toEqual([expect.objectContaining({ staff_id: S1, source: 'csv', sale_channel: 'field' })]);
  });

  it('refuses a file with a bad line, naming each, and records nothing of it', async () => {
    const before = (await entries('service_code = $1', svc)).length;
    const res = await post(`\ufeff${file([`${S1},${svc},13900000201,,,`, `nobody-${run},${svc},13900000202,,,`, `${S1},${svc},13900000203,tomorrow,,`])}`);
    expect(res.statusCode).toBe(422);
    expect(res.json().issues.map((i: { path: string }) => i.path)).toEqual(['body.line.3', 'body.line.4']);
    expect((await entries('service_code = $1', svc)).length).toBe(before);
  });

  it('lets staff load their own sales only', async () => {
    const own = await post(file([`,${svc},13900000301,,,`]), as('staff', S2));
    expect(own.json()).toMatchObject({ recorded: 1, refused: [] });
    const other = await post(file([`${S1},${svc},13900000302,,,`]), as('staff', S2));
    expect(other.statusCode).toBe(422);
    expect(other.json().issues[0].message).toMatch(/own sales only/);
  });
});

describe('orders make entries', () => {
  const order = (customerId: number, key: string, staffId?: string) => h.inject({
    method: 'POST', url: '/orders', headers: { 'idempotency-key': key },
    payload: { customerId, offer: { code: svc, name: 'Music pack', price: 58 }, ...(staffId ? { staffId } : {}) },
  });

  it('credits the staff member POST /orders names, and refuses one who is not', async () => {
    const res = await order(2951, `o1-${run}`, S2);
    expect(res.statusCode).toBe(201);
    expect(await entries('order_id = $1', res.json().id)).toEqual([expect.objectContaining({ staff_id: S2, source: 'order', sale_channel: 'api' })]);
    const bad = await order(2952, `o2-${run}`, OFF);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().issues[0].path).toBe('body.staffId');
    // No seller: an order, and no entry.
    const none = await order(2953, `o3-${run}`);
    expect(none.statusCode).toBe(201);
    expect(await entries('order_id = $1', none.json().id)).toEqual([]);
  });

  it('a number already recorded this month earns the order nothing, and the order is made all the same', async () => {
    const msisdn = await msisdnOf(2954);
    expect((await sale({ serviceCode: svc, msisdn })).statusCode).toBe(201);
    const res = await order(2954, `o4-${run}`, S2);
    expect(res.statusCode).toBe(201);
    expect(await entries('order_id = $1', res.json().id)).toEqual([]);
    // refused as POST /sales refuses it: the reason and whose entry came first, for the seller and finance
    const mine = await h.inject({ method: 'GET', url: '/sales/refusals', headers: as('staff', S2) });
    expect(mine.statusCode).toBe(200);
    const refusal = mine.json().refusals.find((r: { orderId: string }) => r.orderId === res.json().id);
    expect(refusal).toMatchObject({ staffId: S2, serviceCode: svc, firstEntry: { id: expect.any(String), staffId: S1 }, reason: expect.stringContaining('one entry per customer per service per month') });
    expect(refusal.reason).toContain(`recorded by ${S1}`);
    expect(JSON.stringify(refusal)).not.toContain(msisdn);
    // another seller's refusals are not theirs to read: a staff member's own only, whatever they ask
    const others = await h.inject({ method: 'GET', url: `/sales/refusals?staffId=${S2}`, headers: as('staff', S1) });
    expect(others.json().refusals.map((r: { orderId: string }) => r.orderId)).not.toContain(res.json().id);
    const all = await h.inject({ method: 'GET', url: `/sales/refusals?staffId=${S2}&month=${refusal.month}`, headers: as('finance', 'fin') });
    expect(all.json().refusals.map((r: { orderId: string }) => r.orderId)).toContain(res.json().id);
    expect((await h.inject({ method: 'GET', url: '/sales/refusals?month=2026-13', headers: as('finance', 'fin') })).statusCode).toBe(400);
  });

  it('credits an outbound order to the staff record of the agent who took the accepted call', async () => {
    const campaign = `sp-${run}`;
    await h.db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, 'sp', '{}', 'completed', $1)`, [campaign]);
    const { rows: [lead] } = await h.db.query<{ id: string }>(
      `INSERT INTO leads (campaign_id, customer_id, msisdn, region, state) SELECT $1, id, msisdn, region, 'done' FROM customers WHERE id = 2955 RETURNING id`, [campaign]);
    await h.db.query(
      `INSERT INTO call_attempts (id, purpose, campaign_id, lead_id, attempt_no, disposition, connected, duration_sec, agent_id, started_at, ended_at)
       VALUES ($1, 'sales', $2, $3, 1, 'accepted', true, 60, $4, now(), now())`, [`audit-${campaign}`, campaign, lead!.id, AGENT]);
    const made = await createLeadOrder({ db: h.db, client: h.client, taskQueue: h.taskQueue, operatorTimeZone: h.config.OPERATOR_TIME_ZONE },
      { campaignId: campaign, leadId: Number(lead!.id), offer: { code: svc, name: 'Music pack', price: 58, ships: [] }, policy: OrderPolicySchema.parse({}) });
    expect(made.kind).toBe('created');
    const orderId = (made as { orderId: string }).orderId;
    expect(await entries('order_id = $1', orderId)).toEqual([expect.objectContaining({ staff_id: AGENT, source: 'order', sale_channel: 'outbound', campaign_id: campaign })]);
  });
});
