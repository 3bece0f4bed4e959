import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createPool, type Db } from '../../infra/db';
import { closeMonth, reconcileMonth } from '../../db/sales-points/reconcile-sql';
import { matchAndCredit } from '../../db/sales-points/matching-sql';
import { readStatement } from '../../db/sales-points/statement-sql';
import { createReconciliationActivities } from '../../activities/sales-points/reconciliation';
import { ImportNotOfMonth, MonthClosed, MonthNotReconciled } from '../../domain/sales-points/reconciliation';
import {
  addComplaint, addEntry, addImport, addOrder, ledgerOf, makeOrg, makeService, makeStaff, matchOf, saleCreditsOf, setBudget, tag, type Org,
} from '../support/sales-points';

/**
 * The month-end reconciliation on real Postgres. Each scenario has months of its own (2030s; the
 * API tests use the 2040s), since a run covers every sale of its month.
 */
let db: Db;
const tz = 'Asia/Shanghai';
const run = (month: string, importId: number) => reconcileMonth(db, month, { importId, timeZone: tz });
let n = 0;
const msisdn = () => `139${tag().replace(/\D/g, '').padEnd(4, '7').slice(0, 4)}${String(++n).padStart(4, '0')}`;

beforeAll(() => { db = createPool(inject('databaseUrl'), 4); });
afterAll(async () => { await db?.end(); });

describe('matching and points', () => {
  const t = tag();
  let org: Org;
  const svc = `svc-${t}`;
  const usage = `use-${t}`;
  const staff = `s-${t}`;
  const other = `o-${t}`;
  const entries: Record<string, number> = {};
  const numbers: Record<string, string> = {};

  beforeAll(async () => {
    org = await makeOrg(db, `m${t}`);
    await makeStaff(db, staff, org);
    await makeStaff(db, other, org);
    await makeService(db, svc, [{ from: '2029-01-01', points: 10 }]);
    await makeService(db, usage, [{ from: '2029-01-01', points: 6, requiresUsage: true }]);
    for (const k of ['matched', 'missing', 'cancelled', 'elsewhere', 'awaiting']) numbers[k] = msisdn();
    const order = await addOrder(db, `ord-${t}-1`, svc);
    entries.matched = await addEntry(db, { service: svc, msisdn: numbers.matched!, staff, org, soldAt: '2030-01-10T04:00:00Z', orderId: order });
    entries.missing = await addEntry(db, { service: svc, msisdn: numbers.missing!, staff, org, soldAt: '2030-01-11T04:00:00Z' });
    entries.cancelled = await addEntry(db, { service: svc, msisdn: numbers.cancelled!, staff, org, soldAt: '2030-01-12T04:00:00Z' });
    entries.elsewhere = await addEntry(db, { service: svc, msisdn: numbers.elsewhere!, staff, org, soldAt: '2030-01-12T04:00:00Z' });
    entries.awaiting = await addEntry(db, { service: usage, msisdn: numbers.awaiting!, staff, org, soldAt: '2030-01-13T04:00:00Z' });
    await addComplaint(db, order, '2030-01-20T03:00:00Z');
    // a complaint against an order with no sale entry, naming a staff member: charged at their outlet
    await addComplaint(db, `ord-${t}-2`, '2030-01-21T03:00:00Z', { staffId: other, offer: svc });
    // a complaint of another month counts there, not here
    await addComplaint(db, `ord-${t}-3`, '2030-02-01T03:00:00Z', { staffId: other, offer: svc });
  });

  it('gives each sale its outcome and reason, credits the matched ones and deducts complaints; a repeat doubles nothing', async () => {
    const imp = await addImport(db, '2030-01', [
      { msisdn: numbers.matched!, service: svc, activatedOn: '2030-01-10' },
      { msisdn: numbers.cancelled!, service: svc, activatedOn: '2030-01-12', cancelledOn: '2030-01-25' },
      { msisdn: numbers.elsewhere!, service: svc, activatedOn: '2029-12-20' },
      { msisdn: numbers.awaiting!, service: usage, activatedOn: '2030-01-13', used: false },
    ]);
    const totals = await run('2030-01', imp);
    expect(totals).toMatchObject({
      entries: 5, matched: 1, awaitingUsage: 1,
      unmatched: { 'not-in-billing': 1, 'cancelled-before-month-end': 1, 'activated-elsewhere-first': 1 },
      points: { sale: 10, complaint: -4 }, totalPoints: 6, staff: 2, budgetsOver: [],
    });
    expect(await matchOf(db, entries.matched!)).toMatchObject({ outcome: 'matched', reason: null });
    expect(await matchOf(db, entries.missing!)).toMatchObject({ outcome: 'unmatched', reason: 'not-in-billing' });
    expect(await matchOf(db, entries.cancelled!)).toMatchObject({ outcome: 'unmatched', reason: 'cancelled-before-month-end', detail: expect.stringContaining('cancelled 2030-01-25') });
    expect(await matchOf(db, entries.elsewhere!)).toMatchObject({
      outcome: 'unmatched', reason: 'activated-elsewhere-first', detail: 'activated 2029-12-20, before this sale on 2030-01-12',
    });
    expect(await matchOf(db, entries.awaiting!)).toMatchObject({ outcome: 'awaiting-usage', reason: null });
    const rows = await ledgerOf(db, [staff, other]);
    expect(rows.map((r) => [r.staffId, r.kind, r.points])).toEqual(expect.arrayContaining([
      [staff, 'sale', 10], [staff, 'complaint', -2], [other, 'complaint', -2],
    ]));
    expect(rows).toHaveLength(3);
    expect(rows.find((r) => r.kind === 'sale')).toMatchObject({ entryId: null, entryIds: [entries.matched] });
    expect(rows.find((r) => r.kind === 'sale')!.reason).toMatch(/^1 sale of .* sold on 2030-01-\d\d matched billing's list of 2030-01 \(import #\d+\): 10 points each by the terms from 2029-01-01$/);

    const again = await run('2030-01', imp);
    expect(again).toEqual(totals);
    expect(await ledgerOf(db, [staff, other])).toHaveLength(3);
    const { rows: [runRow] } = await db.query(`SELECT status, import_id, settings->>'complaint_points' AS cp FROM sales_point_runs WHERE month = '2030-01-01'`);
    expect(runRow).toMatchObject({ status: 'reconciled', import_id: String(imp), cp: '-2' });
  });

  it('credits a sale once billing shows usage, in that month; an earlier month\'s credit makes a second sale of it elsewhere-first', async () => {
    const again = await addEntry(db, { service: svc, msisdn: numbers.matched!, staff: other, org, soldAt: '2030-02-05T04:00:00Z' });
    const imp = await addImport(db, '2030-02', [
      { msisdn: numbers.matched!, service: svc, activatedOn: '2030-01-10' },
      { msisdn: numbers.matched!, service: svc, activatedOn: '2030-02-05' },
      { msisdn: numbers.awaiting!, service: usage, activatedOn: '2030-01-13', used: true },
    ]);
    const totals = await run('2030-02', imp);
    expect(totals).toMatchObject({ entries: 1, matched: 0, points: { 'usage-credit': 6, complaint: -2 }, unmatched: { 'activated-elsewhere-first': 1 } });
    expect(await matchOf(db, again)).toMatchObject({ reason: 'activated-elsewhere-first', detail: `already earned by sale #${entries.matched} of 2030-01` });
    const credit = (await ledgerOf(db, [staff])).find((r) => r.kind === 'usage-credit')!;
    expect(credit).toMatchObject({ month: '2030-02', entryId: entries.awaiting, points: 6 });
    expect(credit.reason).toMatch(/awaited usage; billing shows it used in 2030-02/);
    // the import named must be the month's
    await expect(run('2030-03', imp)).rejects.toBeInstanceOf(ImportNotOfMonth);
  });

  it('a newer import of a month replaces what the run wrote from the older one', async () => {
    const newer = await addImport(db, '2030-01', [
      { msisdn: numbers.matched!, service: svc, activatedOn: '2030-01-10' },
      { msisdn: numbers.missing!, service: svc, activatedOn: '2030-01-11' },
      // used now: a sale of January. February's run credited it on usage, but February is open: it
      // is marked stale, and its next pass credits it no more (credited once)
      { msisdn: numbers.awaiting!, service: usage, activatedOn: '2030-01-13', used: true },
    ]);
    const totals = await run('2030-01', newer);
    expect(totals).toMatchObject({ importId: newer, matched: 3, unmatched: { 'not-in-billing': 2, 'cancelled-before-month-end': 0 }, points: { sale: 26 } });
    expect((await saleCreditsOf(db, [staff])).filter((r) => r.month === '2030-01' && r.kind === 'sale')).toHaveLength(3);
    const { rows: [feb] } = await db.query(`SELECT import_id::int AS import_id, to_char(stale_because, 'YYYY-MM') AS stale FROM sales_point_runs WHERE month = '2030-02-01'`);
    expect(feb.stale).toBe('2030-01');
    const february = await run('2030-02', feb.import_id);
    expect(february.points['usage-credit']).toBe(0);
    expect((await saleCreditsOf(db, [staff])).filter((r) => r.entryId === entries.awaiting).map((r) => [r.month, r.kind, r.points])).toEqual([['2030-01', 'sale', 6]]);
    expect((await db.query(`SELECT stale_because FROM sales_point_runs WHERE month = '2030-02-01'`)).rows).toEqual([{ stale_because: null }]);
  });

  it("a month run again after a later closed month credited a sale on usage does not credit it twice", async () => {
    const number = msisdn();
    const entry = await addEntry(db, { service: usage, msisdn: number, staff, org, soldAt: '2032-01-05T04:00:00Z' });
    const line = { msisdn: number, service: usage, activatedOn: '2032-01-05' };
    const jan = await addImport(db, '2032-01', [{ ...line, used: false }]);
    expect((await run('2032-01', jan)).awaitingUsage).toBe(1);
    expect((await run('2032-02', await addImport(db, '2032-02', [{ ...line, used: true }]))).points['usage-credit']).toBe(6);
    await closeMonth(db, '2032-02', 'fin');
    // January's corrected list shows it used: February (closed) paid it already
    const totals = await run('2032-01', await addImport(db, '2032-01', [{ ...line, used: true }]));
    expect(totals).toMatchObject({ matched: 1, points: { sale: 0 } });
    expect((await ledgerOf(db, [staff])).filter((r) => r.entryId === entry).map((r) => [r.month, r.kind])).toEqual([['2032-02', 'usage-credit']]);
  });

  it('the activities refuse for good what no retry changes', async () => {
    const acts = createReconciliationActivities({ db, timeZone: tz });
    await expect(acts.closeSalesMonth('2030-03', 'fin')).rejects.toMatchObject({ type: 'MonthNotReconciled', nonRetryable: true });
    await expect(acts.reconcileSalesMonth('2030-03', 999_999)).rejects.toMatchObject({ type: 'ImportNotOfMonth', nonRetryable: true });
  });
});

describe('effective-dated points', () => {
  it('earns each sale the terms in force on its day in the operator\'s zone', async () => {
    const t = tag();
    const org = await makeOrg(db, `e${t}`);
    const staff = await makeStaff(db, `e-${t}`, org);
    const svc = await makeService(db, `eff-${t}`, [{ from: '2029-01-01', points: 10 }, { from: '2030-04-15', points: 20.5 }]);
    const sales = [['2030-04-10T04:00:00Z', 10], ['2030-04-14T15:59:00Z', 10], ['2030-04-14T16:00:00Z', 20.5], ['2030-04-20T04:00:00Z', 20.5]] as const;
    const lines = [];
    for (const [soldAt] of sales) {
      const number = msisdn();
      await addEntry(db, { service: svc, msisdn: number, staff, org, soldAt });
      lines.push({ msisdn: number, service: svc, activatedOn: '2030-04-25' });
    }
    const totals = await run('2030-04', await addImport(db, '2030-04', lines));
    expect((await saleCreditsOf(db, [staff])).map((r) => r.points)).toEqual(sales.map(([, p]) => p));
    // one ledger row per terms: two sales at 10, two at 20.5
    expect((await ledgerOf(db, [staff])).map((r) => [r.points, r.entryIds?.length])).toEqual([[20, 2], [41, 2]]);
    expect(totals.points.sale).toBe(61);
  });
});

describe('a subscription billing lists more than once', () => {
  it('judges the sale by its best line: active at month end, then activated on or after the sale, then the latest; each sale in one credit, in order', async () => {
    const t = tag();
    const org = await makeOrg(db, `l${t}`);
    const staff = await makeStaff(db, `l-${t}`, org);
    const svc = await makeService(db, `lin-${t}`, [{ from: '2029-01-01', points: 5 }]);
    const sold = '2033-05-10T04:00:00Z';
    const cases = {
      // cancelled in the month, then taken again and active at its end: matched
      retaken: [{ activatedOn: '2033-05-10', cancelledOn: '2033-05-12' }, { activatedOn: '2033-05-20' }],
      // active at month end since before the sale, and a line activated after it but cancelled: elsewhere first
      before: [{ activatedOn: '2033-04-01' }, { activatedOn: '2033-05-11', cancelledOn: '2033-05-15' }],
      // two lines active at month end: the one activated on or after the sale
      both: [{ activatedOn: '2033-04-01' }, { activatedOn: '2033-05-10' }],
      // both cancelled in the month: unmatched, named by the latest
      gone: [{ activatedOn: '2033-05-10', cancelledOn: '2033-05-11' }, { activatedOn: '2033-05-12', cancelledOn: '2033-05-13' }],
    };
    const entries: Record<string, number> = {};
    const lines = [];
    for (const [name, ls] of Object.entries(cases)) {
      const number = msisdn();
      entries[name] = await addEntry(db, { service: svc, msisdn: number, staff, org, soldAt: sold });
      for (const l of ls) lines.push({ msisdn: number, service: svc, ...l });
    }
    const totals = await run('2033-05', await addImport(db, '2033-05', lines));
    expect(totals).toMatchObject({ entries: 4, matched: 2, unmatched: { 'activated-elsewhere-first': 1, 'cancelled-before-month-end': 1 } });
    expect(await matchOf(db, entries.before!)).toMatchObject({ reason: 'activated-elsewhere-first', detail: 'activated 2033-04-01, before this sale on 2033-05-10' });
    expect(await matchOf(db, entries.gone!)).toMatchObject({ reason: 'cancelled-before-month-end', detail: expect.stringContaining('activated 2033-05-12, cancelled 2033-05-13') });
    expect((await ledgerOf(db, [staff])).map((r) => [r.kind, r.points, r.entryIds])).toEqual([['sale', 10, [entries.retaken, entries.both].sort((a, b) => a! - b!)]]);
  });
});

describe('clawback across a closed month', () => {
  it('takes back a closed month\'s credit in the month its subscription leaves billing, naming it; the closed month never changes', async () => {
    const t = tag();
    const org = await makeOrg(db, `c${t}`);
    const staff = await makeStaff(db, `c-${t}`, org);
    const svc = await makeService(db, `clw-${t}`, [{ from: '2029-01-01', points: 12 }]);
    const [gone, cancelled, kept] = [msisdn(), msisdn(), msisdn()];
    for (const number of [gone, cancelled, kept]) await addEntry(db, { service: svc, msisdn: number, staff, org, soldAt: '2030-06-03T04:00:00Z' });
    const june = await addImport(db, '2030-06', [gone, cancelled, kept].map((m) => ({ msisdn: m, service: svc, activatedOn: '2030-06-03' })));
    expect((await run('2030-06', june)).points.sale).toBe(36);
    await expect(closeMonth(db, '2030-07', 'fin')).rejects.toBeInstanceOf(MonthNotReconciled);
    await closeMonth(db, '2030-06', 'fin');
    await closeMonth(db, '2030-06', 'fin'); // a closed month stays closed
    const juneRows = await ledgerOf(db, [staff]);

    const july = await addImport(db, '2030-07', [
      { msisdn: cancelled, service: svc, activatedOn: '2030-06-03', cancelledOn: '2030-07-10' },
      { msisdn: kept, service: svc, activatedOn: '2030-06-03' },
    ]);
    const totals = await run('2030-07', july);
    expect(totals.points.clawback).toBe(-24);
    const clawbacks = (await ledgerOf(db, [staff])).filter((r) => r.kind === 'clawback');
    expect(clawbacks).toHaveLength(2);
    for (const c of clawbacks) {
      const original = juneRows.find((r) => r.id === c.refersTo)!;
      expect(original).toMatchObject({ month: '2030-06', kind: 'sale', points: 36 });
      expect(original.entryIds).toContain(c.entryId);
      expect(c).toMatchObject({ month: '2030-07', points: -12 });
      expect(c.reason).toContain(`clawback of sale #${c.entryId}'s 12 points (ledger row #${original.id}, sale of 2030-06)`);
    }
    expect(clawbacks.map((c) => c.reason).join('\n')).toMatch(/missing from billing's list of 2030-07[\s\S]*|cancelled on 2030-07-10/);
    expect(clawbacks.some((c) => c.reason.includes('cancelled on 2030-07-10'))).toBe(true);
    // June as it was, and no write to it passes
    expect((await ledgerOf(db, [staff])).filter((r) => r.month === '2030-06')).toEqual(juneRows);
    await expect(db.query(
      `INSERT INTO points_ledger (month, staff_id, kind, points, outlet, area, department, reason) VALUES ('2030-06-01', $1, 'adjustment', 1, $2, $3, $4, 'sneak')`,
      [staff, org.outlet, org.area, org.department])).rejects.toThrow(/2030-06 is closed/);
    await expect(run('2030-06', june)).rejects.toBeInstanceOf(MonthClosed);
    await expect(createReconciliationActivities({ db, timeZone: tz }).reconcileSalesMonth('2030-06', june))
      .rejects.toMatchObject({ type: 'MonthClosed', nonRetryable: true });
    // a repeat of July: the same clawbacks, once
    expect(await run('2030-07', july)).toEqual(totals);
    expect((await ledgerOf(db, [staff])).filter((r) => r.kind === 'clawback')).toHaveLength(2);
    // August: the two already clawed back are not again; the one kept so far leaves billing now
    const august = await run('2030-08', await addImport(db, '2030-08', []));
    expect(august.points.clawback).toBe(-12);
  });
});

describe('clawback window', () => {
  it('takes back only credits of the last clawback_months (3) before the month', async () => {
    const t = tag();
    const org = await makeOrg(db, `w${t}`);
    const staff = await makeStaff(db, `w-${t}`, org);
    const svc = await makeService(db, `win-${t}`, [{ from: '2029-01-01', points: 7 }]);
    const listed: { msisdn: string; service: string; activatedOn: string }[] = [];
    for (const month of ['2034-01', '2034-02']) {
      const number = msisdn();
      await addEntry(db, { service: svc, msisdn: number, staff, org, soldAt: `${month}-03T04:00:00Z` });
      listed.push({ msisdn: number, service: svc, activatedOn: `${month}-03` });
      await run(month, await addImport(db, month, listed));
      await closeMonth(db, month, 'fin');
    }
    // May: both subscriptions gone from billing; January's credit is four months back, February's three
    const may = await run('2034-05', await addImport(db, '2034-05', []));
    expect(may.points.clawback).toBe(-7);
    const clawbacks = (await ledgerOf(db, [staff])).filter((r) => r.kind === 'clawback');
    expect(clawbacks).toHaveLength(1);
    expect(clawbacks[0]!.reason).toContain('sale of 2034-02');
  });
});

describe('complaint points', () => {
  it('deducts the points the run is given (its settings\' complaint_points), not a fixed 2', async () => {
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      const t = tag();
      const org = await makeOrg(client, `k${t}`);
      const staff = await makeStaff(client, `k-${t}`, org);
      const svc = await makeService(client, `cmp-${t}`, [{ from: '2029-01-01', points: 10 }]);
      const order = await addOrder(client, `ord-${t}-k`, svc);
      await addEntry(client, { service: svc, msisdn: msisdn(), staff, org, soldAt: '2034-07-10T04:00:00Z', orderId: order });
      await addComplaint(client, order, '2034-07-20T03:00:00Z');
      const imp = await addImport(client, '2034-07', []);
      await matchAndCredit(client, { month: '2034-07-01', import: imp, tz, end: '2034-07-31', wait: 3, claw: 3, complaint: '-5' });
      expect((await ledgerOf(client, [staff])).filter((r) => r.kind === 'complaint').map((r) => r.points)).toEqual([-5]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});

describe('budget policies', () => {
  const t = tag();
  let org: Org;
  const staff = [`b1-${t}`, `b2-${t}`, `b3-${t}`];
  let svc: string;
  const monthOf = async (month: string) => {
    const lines = [];
    for (const s of staff) {
      const number = msisdn();
      await addEntry(db, { service: svc, msisdn: number, staff: s, org, soldAt: `${month}-05T04:00:00Z` });
      lines.push({ msisdn: number, service: svc, activatedOn: `${month}-05` });
    }
    return addImport(db, month, lines);
  };
  beforeAll(async () => {
    org = await makeOrg(db, `b${t}`);
    for (const s of staff) await makeStaff(db, s, org);
    svc = await makeService(db, `bud-${t}`, [{ from: '2029-01-01', points: 10 }]);
  });

  it('pay-and-flag (the department\'s budget, the area having none) pays in full and says by how much it is over', async () => {
    await setBudget(db, '2030-09', 'department', org.department, 20, 'pay-and-flag');
    const totals = await run('2030-09', await monthOf('2030-09'));
    expect(totals.budgetsOver).toEqual([expect.objectContaining({ scopeKind: 'department', scopeCode: org.department, policy: 'pay-and-flag', budget: 20, credits: 30, overBy: 10 })]);
    expect(totals.totalPoints).toBe(30);
  });

  it('pro-rate cuts each one by the same factor, the cents adding up to the overrun', async () => {
    await setBudget(db, '2030-10', 'department', org.department, 100, 'pay-and-flag');
    await setBudget(db, '2030-10', 'area', org.area, 20, 'pro-rate');
    const totals = await run('2030-10', await monthOf('2030-10'));
    const cuts = (await ledgerOf(db, staff)).filter((r) => r.kind === 'budget-cut');
    expect(cuts.map((c) => c.points).sort()).toEqual([-3.34, -3.33, -3.33].sort());
    expect(totals).toMatchObject({ totalPoints: 20, points: { 'budget-cut': -10 } });
    expect(totals.budgetsOver[0]).toMatchObject({ scopeKind: 'area', policy: 'pro-rate', cut: 10 });
    // each one's statement says the budget their points fell under (the area's, before the
    // department's) and what its policy did
    const statement = (await readStatement(db, staff[0]!, '2030-10', tz))!;
    expect(statement.budgets).toEqual([
      expect.objectContaining({ scopeKind: 'area', scopeCode: org.area, overrunPolicy: 'pro-rate', over: expect.objectContaining({ cut: 10 }) }),
    ]);
    expect(statement.ledger.find((r) => r.kind === 'budget-cut')).toMatchObject({ points: expect.any(Number) });
    expect(statement.total).toBeCloseTo(10 + statement.ledger.find((r) => r.kind === 'budget-cut')!.points, 2);
  });

  it('carry-over pays up to the budget and carries the rest into the next month; a repeat moves nothing twice', async () => {
    await setBudget(db, '2030-11', 'area', org.area, 24, 'carry-over');
    const imp = await monthOf('2030-11');
    const totals = await run('2030-11', imp);
    expect(totals).toMatchObject({ totalPoints: 24, points: { 'carried-over': -6 } });
    expect(await run('2030-11', imp)).toEqual(totals);
    const rows = await ledgerOf(db, staff);
    const carriedIn = rows.filter((r) => r.kind === 'carried-in');
    expect(carriedIn).toHaveLength(3);
    expect(carriedIn.every((r) => r.month === '2030-12' && r.runMonth === '2030-11' && r.points === 2)).toBe(true);
    expect(carriedIn[0]!.reason).toMatch(/carried in from 2030-11/);
    // December pays what was carried in (and counts it against December's budget, if any)
    const december = await run('2030-12', await addImport(db, '2030-12', []));
    expect(december.points['carried-in']).toBe(6);
  });
});

describe('references, checked once per statement (migrations 028, 039 and 040)', () => {
  it('refuses a ledger row or match naming what does not exist, and deleting what rows still name', async () => {
    const t = tag();
    const org = await makeOrg(db, `r${t}`);
    const staff = await makeStaff(db, `r-${t}`, org);
    const svc = await makeService(db, `ref-${t}`, [{ from: '2029-01-01', points: 5 }]);
    const number = msisdn();
    const entry = await addEntry(db, { service: svc, msisdn: number, staff, org, soldAt: '2031-02-03T04:00:00Z' });
    const insert = (staffId: string, entryId: number | null, refersTo: number | null) => db.query(
      `INSERT INTO points_ledger (month, staff_id, kind, points, entry_id, refers_to, outlet, area, department, reason)
       VALUES ('2031-02-01', $1, 'adjustment', 1, $2, $3, $4, $5, $6, 'test')`, [staffId, entryId, refersTo, org.outlet, org.area, org.department]);
    await expect(insert(`nobody-${t}`, null, null)).rejects.toMatchObject({ code: '23503', message: expect.stringContaining(`staff nobody-${t}`) });
    await expect(insert(staff, 999_999_999, null)).rejects.toMatchObject({ code: '23503' });
    await expect(insert(staff, null, 999_999_999)).rejects.toMatchObject({ code: '23503' });
    await expect(db.query(`INSERT INTO sales_matches (entry_id, month, outcome) VALUES (999999999, '2031-02-01', 'matched')`)).rejects.toMatchObject({ code: '23503' });
    // a month's sales credit (migration 039) names sales that exist, each once, sharing its points in whole cents
    const grouped = (entryIds: number[], points = 10) => db.query(
      `INSERT INTO points_ledger (month, run_month, staff_id, kind, points, entry_ids, outlet, area, department, reason)
       VALUES ('2031-02-01', '2031-02-01', $1, 'sale', $2, $3::bigint[], $4, $5, $6, 'test')`, [staff, points, entryIds, org.outlet, org.area, org.department]);
    await expect(grouped([entry, 999_999_999])).rejects.toMatchObject({ code: '23503', message: expect.stringContaining('sale 999999999') });
    await expect(grouped([entry, entry])).rejects.toMatchObject({ code: '23514', message: expect.stringContaining(`sale ${entry} is in two`) });
    const second = await addEntry(db, { service: svc, msisdn: msisdn(), staff, org, soldAt: '2031-02-04T04:00:00Z' });
    await expect(grouped([entry, second], 0.05)).rejects.toMatchObject({ code: '23514' }); // 2.5 cents each
    await expect(db.query(
      `INSERT INTO points_ledger (month, staff_id, kind, points, entry_id, entry_ids, outlet, area, department, reason)
       VALUES ('2031-02-01', $1, 'sale', 5, $2, ARRAY[$2::bigint], $3, $4, $5, 'test')`, [staff, entry, org.outlet, org.area, org.department]))
      .rejects.toMatchObject({ code: '23514' });
    await run('2031-02', await addImport(db, '2031-02', [{ msisdn: number, service: svc, activatedOn: '2031-02-03' }]));
    const [credit] = await ledgerOf(db, [staff]);
    expect([credit!.kind, credit!.entryIds]).toEqual(['sale', [entry]]);
    // a clawback names the sale it takes back, one its row credited
    const clawback = (entryId: number | null) => db.query(
      `INSERT INTO points_ledger (month, staff_id, kind, points, entry_id, refers_to, outlet, area, department, reason)
       VALUES ('2031-02-01', $1, 'clawback', -5, $2, $3, $4, $5, $6, 'test')`, [staff, entryId, credit!.id, org.outlet, org.area, org.department]);
    await expect(clawback(null)).rejects.toMatchObject({ code: '23514' });
    await expect(clawback(second)).rejects.toMatchObject({ code: '23514', message: expect.stringContaining('which did not credit it') });
    await expect(db.query(`DELETE FROM sales_entries WHERE id = $1`, [entry]))
      .rejects.toMatchObject({ code: '23503', message: expect.stringMatching(new RegExp(`points_ledger row \\d+ \\(sale ${entry}\\)`)) });
    await expect(db.query(`DELETE FROM staff WHERE id = $1`, [staff])).rejects.toMatchObject({ code: '23503' });
    await db.query(`UPDATE staff SET name = 'renamed' WHERE id = $1`, [staff]); // keys kept: fine
  });
});
