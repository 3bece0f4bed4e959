import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, uniqueId, type Harness } from '../support/harness';

/** The organisation (units, staff, the staff file) and the service catalogue (docs/sales-points.md). */
let h: Harness;
const run = uniqueId('org').slice(-8);
const code = (name: string) => `${name}-${run}`;
const as = (role: 'finance' | 'staff' | 'agent' | 'ops' | 'marketing', sub?: string) => ({ authorization: `Bearer ${h.token(role, sub)}` });
const csv = (text: string, headers: Record<string, string> = {}) => ({ method: 'POST' as const, url: '/sales-points/staff', payload: text, headers: { 'content-type': 'text/csv', ...headers } });

beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

describe('the organisation', () => {
  it('puts departments, areas and outlets by code, idempotently, and lists them', async () => {
    const dep = await h.inject({ method: 'PUT', url: `/sales-points/departments/${code('d')}`, payload: { name: '南区营业部' } });
    expect(dep.statusCode).toBe(201);
    expect((await h.inject({ method: 'PUT', url: `/sales-points/departments/${code('d')}`, payload: { name: '南区营业部' } })).statusCode).toBe(200);
    expect((await h.inject({ method: 'PUT', url: `/sales-points/areas/${code('a')}`, payload: { name: 'Area', department: code('d') } })).statusCode).toBe(201);
    const outlet = await h.inject({ method: 'PUT', url: `/sales-points/outlets/${code('o')}`, payload: { name: 'Shop', area: code('a'), channel: 'partner' } });
    expect(outlet.statusCode).toBe(201);
    expect(outlet.json()).toMatchObject({ code: code('o'), kind: 'outlet', parent: code('a'), channel: 'partner' });

    const noArea = await h.inject({ method: 'PUT', url: `/sales-points/outlets/${code('o2')}`, payload: { name: 'Shop', area: code('d'), channel: 'own' } });
    expect(noArea.statusCode).toBe(422);
    expect(noArea.json().issues[0].path).toBe('body.area');
    const otherKind = await h.inject({ method: 'PUT', url: `/sales-points/departments/${code('a')}`, payload: { name: 'x' } });
    expect(otherKind.statusCode).toBe(409);

    const outlets = await h.inject({ method: 'GET', url: `/sales-points/outlets?department=${code('d')}`, headers: as('finance') });
    expect(outlets.json().outlets.map((o: { code: string }) => o.code)).toEqual([code('o')]);
    expect((await h.inject({ method: 'GET', url: '/sales-points/areas', headers: as('ops') })).statusCode).toBe(200);
    expect((await h.inject({ method: 'PUT', url: `/sales-points/departments/${code('x')}`, payload: { name: 'x' }, headers: as('finance') })).statusCode).toBe(403);
  });

  it('puts staff, reads them by outlet, area and department', async () => {
    const put = await h.inject({ method: 'PUT', url: `/sales-points/staff/P${run}`, payload: { name: '李娜', outlet: code('o'), bankAccountRef: 'ACC-1' } });
    expect(put.statusCode).toBe(201);
    expect(put.json()).toMatchObject({ id: `P${run}`, outlet: code('o'), area: code('a'), department: code('d'), channel: 'partner', active: true });
    expect((await h.inject({ method: 'PUT', url: `/sales-points/staff/P${run}`, payload: { name: '李娜', outlet: code('o'), bankAccountRef: 'ACC-1' } })).statusCode).toBe(200);
    const bad = await h.inject({ method: 'PUT', url: `/sales-points/staff/P${run}`, payload: { name: '李娜', outlet: 'nowhere' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().issues[0].path).toBe('body.outlet');
    const list = await h.inject({ method: 'GET', url: `/sales-points/staff?area=${code('a')}`, headers: as('finance') });
    expect(list.json()).toMatchObject({ total: 1, staff: [{ id: `P${run}`, name: '李娜' }] });
    expect((await h.inject({ method: 'GET', url: `/sales-points/staff/P${run}`, headers: as('finance') })).json().bankAccountRef).toBe('ACC-1');
    expect((await h.inject({ method: 'GET', url: `/sales-points/staff/nobody${run}`, headers: as('finance') })).statusCode).toBe(404);
    expect((await h.inject({ method: 'GET', url: '/sales-points/staff', headers: as('staff') })).statusCode).toBe(403);
  });

  it('loads a staff file with a BOM, making the units it names, and counts what it did', async () => {
    const header = 'staff_id,name,outlet,area,department,channel,bank_account_ref';
    const file = `\ufeff${header}\r\nQ1${run},王芳,${code('o')},${code('a')},${code('d')},partner,ACC-2\r\n`
      + `Q2${run},"Zhang, Wei",${code('o9')},${code('a9')},${code('d9')},own,\r\nP${run},李娜,${code('o')},${code('a')},${code('d')},partner,ACC-1\r\n`;
    const first = await h.inject(csv(file));
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ lines: 3, created: 2, updated: 0, unchanged: 1, unitsCreated: 3 });
    expect((await h.inject({ method: 'GET', url: `/sales-points/staff/Q2${run}`, headers: as('finance') })).json())
      .toMatchObject({ name: 'Zhang, Wei', outlet: code('o9'), area: code('a9'), department: code('d9'), channel: 'own', bankAccountRef: null });
    const again = await h.inject(csv(file.replace('王芳', '王芳芳')));
    expect(again.json()).toMatchObject({ created: 0, updated: 1, unchanged: 2, unitsCreated: 0 });
  });

  it('refuses a file with bad lines, naming each, and writes nothing of it', async () => {
    const header = 'staff_id,name,outlet,area,department,channel';
    const file = [header, `R1${run},Good,${code('o')},${code('a')},${code('d')},partner`, `R2${run},,${code('o')},${code('a')},${code('d')},partner`,
      `R3${run},Moved,${code('o')},${code('a9')},${code('d9')},partner`, `R4${run},New,${code('new')},${code('a')},${code('d')},maybe`].join('\n');
    const res = await h.inject(csv(file));
    expect(res.statusCode).toBe(422);
    expect(res.json().issues.map((i: { path: string }) => i.path)).toEqual(['body.line.3', 'body.line.4', 'body.line.5']);
    expect(res.json().message).toMatch(/line 3: name/);
    expect((await h.db.query('SELECT 1 FROM staff WHERE id = $1', [`R1${run}`])).rowCount).toBe(0);
    expect((await h.db.query('SELECT 1 FROM sales_org_units WHERE code = $1', [code('new')])).rowCount).toBe(0);
    const header2 = await h.inject(csv('id,name\nx,y\n'));
    expect(header2.statusCode).toBe(422);
    expect(header2.json().issues[0].path).toBe('body.line.1');
    expect((await h.inject({ ...csv('staff_id\n'), headers: { 'content-type': 'application/json' }, payload: '{}' })).statusCode).toBeGreaterThanOrEqual(400);
  });
});

describe('the service catalogue', () => {
  const svc = code('vas');
  const term = (payload: object, role: 'finance' | 'marketing' = 'finance') =>
    h.inject({ method: 'POST', url: `/sales-points/services/${svc}/terms`, payload, headers: as(role) });

  it('adds a service and its effective-dated terms; points outside the band need a reason', async () => {
    expect((await h.inject({ method: 'PUT', url: `/sales-points/services/${svc}`, payload: { name: 'Music pack' }, headers: as('finance') })).statusCode).toBe(201);
    expect((await h.inject({ method: 'PUT', url: `/sales-points/services/${svc}`, payload: { name: 'Music pack' }, headers: as('finance') })).statusCode).toBe(200);
    expect((await term({ effectiveFrom: '2026-01-01', monthlyTariff: 58, points: 11.6 })).statusCode).toBe(201);
    const outside = await term({ effectiveFrom: '2026-03-01', monthlyTariff: 58, points: 25 });
    expect(outside.statusCode).toBe(422);
    expect(outside.json().issues[0]).toMatchObject({ path: 'body.reason', message: expect.stringMatching(/above the band of 20%-30%/) });
    const withReason = await term({ effectiveFrom: '2026-03-01', monthlyTariff: 58, points: 25, reason: 'spring push', requiresUsage: true });
    expect(withReason.statusCode).toBe(201);
    expect(withReason.json()).toMatchObject({ points: 25, requiresUsage: true, reason: 'spring push', setBy: 'dev-finance (finance)' });
    // The same terms again: a 200; other terms for that day: a 409.
    expect((await term({ effectiveFrom: '2026-03-01', monthlyTariff: 58, points: 25, reason: 'spring push', requiresUsage: true })).statusCode).toBe(200);
    expect((await term({ effectiveFrom: '2026-03-01', monthlyTariff: 58, points: 15 })).statusCode).toBe(409);
    expect((await term({ effectiveFrom: '2026-02-30', monthlyTariff: 58, points: 15 })).statusCode).toBe(422);
    expect((await term({ effectiveFrom: '2026-04-01', monthlyTariff: 58, points: 15 }, 'marketing')).statusCode).toBe(403);
    expect((await h.inject({ method: 'POST', url: `/sales-points/services/none-${run}/terms`, payload: { effectiveFrom: '2026-04-01', monthlyTariff: 58, points: 15 }, headers: as('finance') })).statusCode).toBe(404);
  });

  it('answers the term in force on a day, the whole history, and retires a service without a code change', async () => {
    const at = async (day: string) => ((await h.inject({ method: 'GET', url: `/sales-points/services?at=${day}`, headers: as('staff', 'S-any') })).json()
      .services as { code: string; sellable: boolean; term: { points: number } | null }[]).find((s) => s.code === svc)!;
    expect(await at('2025-12-31')).toMatchObject({ sellable: false, term: null });
    expect((await at('2026-02-28')).term!.points).toBe(11.6);
    expect((await at('2026-03-01')).term!.points).toBe(25);
    const one = (await h.inject({ method: 'GET', url: `/sales-points/services/${svc}`, headers: as('agent') })).json();
    expect(one.terms.map((t: { effectiveFrom: string }) => t.effectiveFrom)).toEqual(['2026-01-01', '2026-03-01']);
    expect(one.term.points).toBe(25);
    expect((await h.inject({ method: 'PUT', url: `/sales-points/services/${svc}`, payload: { name: 'Music pack', retiredOn: '2026-06-01' }, headers: as('finance') })).statusCode).toBe(200);
    expect(await at('2026-05-31')).toMatchObject({ sellable: true, retiredOn: '2026-06-01' });
    expect(await at('2026-06-01')).toMatchObject({ sellable: false });
  });

  it('refuses terms for a day of a closed month', async () => {
    await h.db.query(`INSERT INTO sales_point_runs (month, status) VALUES ('2021-02-01', 'closed') ON CONFLICT DO NOTHING`);
    const res = await term({ effectiveFrom: '2021-02-10', monthlyTariff: 58, points: 15 });
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toMatch(/2021-02 is closed/);
  });
});
