import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { startHarness, type Harness } from '../support/harness';
import type { Role } from '../../domain/access/roles';
import { closeMonth, reconcileMonth } from '../../db/sales-points/reconcile-sql';
import { addComplaint, addEntry, addImport, makeOrg, makeService, makeStaff, tag, type Org } from '../support/sales-points';

/**
 * Disputes, settings, budgets, statements and the payout file over the API, on months of the
 * 2040s (the reconciliation's own tests use the 2030s): January reconciled with a sale matched,
 * one not in billing, a complaint; February reconciled and closed early, so an accepted dispute
 * of January lands in March.
 */
let h: Harness;
const t = tag();
let org: Org;
const [alice, bob, carol] = [`a-${t}`, `b-${t}`, `c-${t}`];
const svc = `pay-${t}`;
const ids: Record<string, number> = {};
const as = (role: Role, sub?: string) => ({ authorization: `Bearer ${h.token(role, sub)}` });
const call = (method: 'GET' | 'POST' | 'PUT', url: string, headers: Record<string, string>, payload?: object) =>
  h.inject({ method, url, headers, ...(payload ? { payload } : {}) });
const reconcile = async (month: string, lines: Parameters<typeof addImport>[2]) =>
  reconcileMonth(h.db, month, { importId: await addImport(h.db, month, lines), timeZone: 'Asia/Shanghai' });

beforeAll(async () => {
  h = await startHarness();
  org = await makeOrg(h.db, `p${t}`);
  await makeStaff(h.db, alice, org, { name: 'Alice Wang' });
  await makeStaff(h.db, bob, org, { name: 'Bob Li', bank: null });
  await makeStaff(h.db, carol, org, { name: 'Carol Zhou' });
  await makeService(h.db, svc, [{ from: '2040-01-01', points: 8 }]);
  const sale = (staff: string, msisdn: string) => addEntry(h.db, { service: svc, msisdn, staff, org, soldAt: '2041-01-10T04:00:00Z' });
  ids.matched = await sale(alice, `1380${t.replace(/\D/g, '0').slice(0, 3)}0001`);
  ids.missing = await sale(alice, `1380${t.replace(/\D/g, '0').slice(0, 3)}0002`);
  ids.bobs = await sale(bob, `1380${t.replace(/\D/g, '0').slice(0, 3)}0003`);
  ids.bobsMissing = await sale(bob, `1380${t.replace(/\D/g, '0').slice(0, 3)}0004`);
  await addComplaint(h.db, `ord-${t}`, '2041-01-15T02:00:00Z', { staffId: carol, offer: svc });
  expect((await call('PUT', '/sales-points/settings', as('finance'), { yuanPerPoint: 1.5 })).statusCode).toBe(200);
  await reconcile('2041-01', [
    { msisdn: `1380${t.replace(/\D/g, '0').slice(0, 3)}0001`, service: svc, activatedOn: '2041-01-10' },
    { msisdn: `1380${t.replace(/\D/g, '0').slice(0, 3)}0003`, service: svc, activatedOn: '2041-01-11' },
  ]);
  expect((await call('PUT', '/sales-points/settings', as('finance'), { yuanPerPoint: 1 })).statusCode).toBe(200);
  await reconcile('2041-02', []);
  await closeMonth(h.db, '2041-02', 'fin');
});
afterAll(async () => { await h?.close(); });

describe('disputes', () => {
  let disputeId: number;
  it('a staff member disputes their own unmatched sale, once', async () => {
    const opened = await call('POST', '/sales-points/disputes', as('staff', alice), { entryId: ids.missing, comment: 'the customer has the service' });
    expect(opened.statusCode).toBe(201);
    expect(opened.json()).toMatchObject({ entryId: ids.missing, staffId: alice, month: '2041-01', status: 'open', adjustment: null });
    disputeId = opened.json().id;
    expect((await call('POST', '/sales-points/disputes', as('staff', alice), { entryId: ids.missing, comment: 'again' })).statusCode).toBe(409);
    expect((await call('POST', '/sales-points/disputes', as('staff', bob), { entryId: ids.missing, comment: 'mine' })).statusCode).toBe(403);
    expect((await call('POST', '/sales-points/disputes', as('staff', alice), { entryId: ids.matched, comment: 'x' })).statusCode).toBe(422);
    expect((await call('POST', '/sales-points/disputes', as('staff', alice), { entryId: 999_999_999, comment: 'x' })).statusCode).toBe(404);
    expect((await call('POST', '/sales-points/disputes', as('finance'), { entryId: ids.missing, comment: 'x' })).statusCode).toBe(403);
    const mine = await call('GET', '/sales-points/disputes?month=2041-01', as('staff', bob));
    expect(mine.json().disputes).toEqual([]);
    const all = await call('GET', '/sales-points/disputes?month=2041-01&status=open', as('finance'));
    expect(all.json().disputes.map((d: { id: number }) => d.id)).toContain(disputeId);
  });

  it('accepted: the sale\'s points credited in the next open month (February is closed: March), as an adjustment; deciding again is a 409', async () => {
    expect((await call('POST', `/sales-points/disputes/${disputeId}/accept`, as('staff', alice), { reason: 'x' })).statusCode).toBe(403);
    const accepted = await call('POST', `/sales-points/disputes/${disputeId}/accept`, as('finance', 'fin-1'), { reason: 'billing confirmed it late' });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ status: 'accepted', decidedBy: 'fin-1 (finance)', adjustment: { month: '2041-03', points: 8 } });
    const { rows: [row] } = await h.db.query(`SELECT kind, run_month, dispute_id, reason FROM points_ledger WHERE id = $1`, [accepted.json().adjustment.ledgerId]);
    expect(row).toMatchObject({ kind: 'adjustment', run_month: null, dispute_id: String(disputeId) });
    expect(row.reason).toMatch(/accepted by fin-1 \(finance\): billing confirmed it late; 8 points by the terms from 2040-01-01/);
    expect((await call('POST', `/sales-points/disputes/${disputeId}/accept`, as('finance'), { reason: 'again' })).statusCode).toBe(409);
    expect((await call('POST', `/sales-points/disputes/${disputeId}/decline`, as('finance'), { reason: 'again' })).statusCode).toBe(409);
    expect((await call('POST', '/sales-points/disputes/999999999/decline', as('finance'), { reason: 'x' })).statusCode).toBe(404);
  });

  it('declined with a reason; the sale can then be disputed again', async () => {
    const opened = await call('POST', '/sales-points/disputes', as('staff', bob), { entryId: ids.bobsMissing, comment: 'please check' });
    const declined = await call('POST', `/sales-points/disputes/${opened.json().id}/decline`, as('finance'), { reason: 'not in billing at all' });
    expect(declined.json()).toMatchObject({ status: 'declined', decisionReason: 'not in billing at all', adjustment: null });
    expect((await call('POST', `/sales-points/disputes/${opened.json().id}/decline`, as('finance'), { reason: 'twice' })).statusCode).toBe(409);
    expect((await call('POST', '/sales-points/disputes', as('staff', bob), { entryId: ids.bobsMissing, comment: 'new facts' })).statusCode).toBe(201);
  });
});

describe('settings and budgets', () => {
  it('finance reads and changes the settings; a band upside down is a 422', async () => {
    const got = await call('GET', '/sales-points/settings', as('finance'));
    expect(got.json()).toMatchObject({ complaintPoints: -2, band: { low: 0.2, high: 0.3 }, clawbackMonths: 3 });
    expect((await call('PUT', '/sales-points/settings', as('finance'), { band: { low: 0.5, high: 0.4 } })).statusCode).toBe(422);
    expect((await call('PUT', '/sales-points/settings', as('staff', alice), { yuanPerPoint: 9 })).statusCode).toBe(403);
    expect((await call('PUT', '/sales-points/settings', as('finance'), { alertWebhookUrl: 'ftp://x' })).statusCode).toBe(400);
  });

  it('sets a month\'s budget per area or department; a closed month\'s is a 409', async () => {
    const put = await call('PUT', `/sales-points/budgets/2041-03/area/${org.area}`, as('finance'), { points: 500, overrunPolicy: 'pro-rate' });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ month: '2041-03', scopeKind: 'area', scopeCode: org.area, points: 500, overrunPolicy: 'pro-rate' });
    expect((await call('PUT', `/sales-points/budgets/2041-03/area/${org.department}`, as('finance'), { points: 5, overrunPolicy: 'pro-rate' })).statusCode).toBe(422);
    expect((await call('PUT', `/sales-points/budgets/2041-02/area/${org.area}`, as('finance'), { points: 5, overrunPolicy: 'pro-rate' })).statusCode).toBe(409);
    const list = await call('GET', '/sales-points/budgets?month=2041-03', as('finance'));
    expect(list.json()).toMatchObject({ month: '2041-03', closed: false, budgets: [expect.objectContaining({ scopeCode: org.area })] });
    expect((await call('GET', '/sales-points/budgets?month=2041-02', as('finance'))).json()).toMatchObject({ closed: true, budgets: [] });
  });
});

describe('statements and the payout', () => {
  it('a staff member reads their own month: each sale with its outcome, the ledger and the total; as JSON and as CSV', async () => {
    const res = await call('GET', `/sales-points/statements/${alice}?month=2041-01`, as('staff', alice));
    expect(res.statusCode).toBe(200);
    const s = res.json();
    expect(s).toMatchObject({ staff: { id: alice, name: 'Alice Wang', area: org.area }, month: '2041-01', closed: false, total: 8 });
    expect(s.entries).toEqual([
      expect.objectContaining({ entryId: ids.matched, outcome: 'matched', points: 8, soldOn: '2041-01-10' }),
      expect.objectContaining({ entryId: ids.missing, outcome: 'unmatched', reason: 'not-in-billing', points: 8 }),
    ]);
    expect(s.ledger).toEqual([expect.objectContaining({ kind: 'sale', points: 8, entryId: null, entryIds: [ids.matched] })]);
    expect(s.entries[0].detail).toMatch(/^credited by ledger row #\d+: 1 sale of .* matched billing's list of 2041-01/);
    const csv = await h.inject({ method: 'GET', url: `/sales-points/statements/${alice}?month=2041-01`, headers: { ...as('finance'), accept: 'text/csv' } });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const records = parse(csv.body, { columns: true }) as Record<string, string>[];
    expect(records.map((r) => r.line)).toEqual(['sale', 'sale', 'ledger', 'total']);
    expect(records.at(-1)).toMatchObject({ points: '8', reason: 'provisional: the month is not closed' });
    expect((await call('GET', `/sales-points/statements/${alice}?month=2041-01`, as('staff', bob))).statusCode).toBe(403);
    expect((await call('GET', `/sales-points/statements/nobody-${t}?month=2041-01`, as('finance'))).statusCode).toBe(404);
    // March: the adjustment of the accepted dispute
    const march = (await call('GET', `/sales-points/statements/${alice}?month=2041-03`, as('ops'))).json();
    expect(march.ledger).toEqual([expect.objectContaining({ kind: 'adjustment', points: 8, entryId: ids.missing })]);
  });

  it('the payout file comes once the month is closed, at the run\'s rate; nothing paid below zero, a missing bank reference counted', async () => {
    expect((await call('GET', '/sales-points/runs/2041-01/payout.csv', as('finance'))).statusCode).toBe(409);
    await closeMonth(h.db, '2041-01', 'fin');
    expect((await call('GET', '/sales-points/runs/2041-01/payout.csv', as('staff', alice))).statusCode).toBe(403);
    const res = await call('GET', '/sales-points/runs/2041-01/payout.csv', as('finance'));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = (parse(res.body, { columns: true }) as Record<string, string>[]).filter((l) => [alice, bob, carol].includes(l.staff_id!));
    expect(lines).toEqual([
      { staff_id: alice, name: 'Alice Wang', bank_account_ref: `bank-${alice}`, points: '8.00', amount_yuan: '12.00' },
      { staff_id: bob, name: 'Bob Li', bank_account_ref: '', points: '8.00', amount_yuan: '12.00' },
      { staff_id: carol, name: 'Carol Zhou', bank_account_ref: `bank-${carol}`, points: '-2.00', amount_yuan: '0.00' },
    ]);
    expect(Number(res.headers['payout-missing-bank-refs'])).toBeGreaterThanOrEqual(1);
    const statement = (await call('GET', `/sales-points/statements/${alice}?month=2041-01`, as('staff', alice))).json();
    expect(statement.closed).toBe(true);
  });
});
