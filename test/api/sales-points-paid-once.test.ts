import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import type { Role } from '../../domain/access/roles';
import { reconcileMonth } from '../../db/sales-points/reconcile-sql';
import { addEntry, addImport, makeOrg, makeService, makeStaff, tag, type Org } from '../support/sales-points';

/**
 * A sale is paid once, whichever comes first: a dispute accepted, or a recompute of its month
 * matching it (months of 2043 and 2022-05, no other test's), and the cut-off: a month whose run has begun takes
 * no more sales.
 */
let h: Harness;
const t = tag();
let org: Org;
const ann = `ann-${t}`;
const svc = `once-${t}`;
const number = (n: number) => `1381${t.replace(/\D/g, '0').slice(0, 3)}000${n}`;
const as = (role: Role, sub?: string) => ({ authorization: `Bearer ${h.token(role, sub)}` });
const reconcile = async (lines: Parameters<typeof addImport>[2]) =>
  reconcileMonth(h.db, '2043-01', { importId: await addImport(h.db, '2043-01', lines), timeZone: 'Asia/Shanghai' });
const dispute = async (entryId: number) =>
  (await h.inject({ method: 'POST', url: '/sales-points/disputes', headers: as('staff', ann), payload: { entryId, comment: 'it is active' } })).json().id as number;
const accept = (id: number) => h.inject({ method: 'POST', url: `/sales-points/disputes/${id}/accept`, headers: as('finance'), payload: { reason: 'confirmed' } });
const kinds = async (entryId: number) =>
  (await h.db.query<{ kind: string }>('SELECT kind FROM points_ledger_by_sale WHERE entry_id = $1 ORDER BY id', [entryId])).rows.map((r) => r.kind);

beforeAll(async () => {
  h = await startHarness();
  org = await makeOrg(h.db, `o${t}`);
  await makeStaff(h.db, ann, org);
  await makeService(h.db, svc, [{ from: '2043-01-01', points: 5 }]);
});
afterAll(async () => { await h?.close(); });

describe('a sale is paid once', () => {
  it('a dispute accepted, then a recompute that matches the sale: the adjustment paid it, no sale credit too', async () => {
    const first = await addEntry(h.db, { service: svc, msisdn: number(1), staff: ann, org, soldAt: '2043-01-10T04:00:00Z' });
    const second = await addEntry(h.db, { service: svc, msisdn: number(2), staff: ann, org, soldAt: '2043-01-11T04:00:00Z' });
    await reconcile([]);
    const disputed = await dispute(first);
    const disputedToo = await dispute(second);
    expect((await accept(disputed)).statusCode).toBe(200);
    // Billing's corrected list has both: the month is reconciled again.
    await reconcile([{ msisdn: number(1), service: svc, activatedOn: '2043-01-10' }, { msisdn: number(2), service: svc, activatedOn: '2043-01-11' }]);
    expect(await kinds(first)).toEqual(['adjustment']);
    expect(await kinds(second)).toEqual(['sale']);
    // The second sale matched since its dispute was opened: it earned its points, nothing to adjust.
    const late = await accept(disputedToo);
    expect(late.statusCode).toBe(409);
    expect(late.json().message).toMatch(/matched billing since/);
    expect(await kinds(second)).toEqual(['sale']);
  });

  it('a month whose run has begun takes no more sales: POST /sales is a 409 saying so', async () => {
    // A past month (a sale is never in the future) whose run waits for approval.
    const past = await makeService(h.db, `cut-${t}`, [{ from: '2022-01-01', points: 5 }]);
    await h.db.query(`INSERT INTO sales_point_runs (month, status) VALUES ('2022-05-01', 'reconciled') ON CONFLICT DO NOTHING`);
    const sale = await h.inject({
      method: 'POST', url: '/sales', headers: as('staff', ann), payload: { serviceCode: past, msisdn: number(3), soldAt: '2022-05-20T10:00:00+08:00' },
    });
    expect(sale.statusCode, sale.body).toBe(409);
    expect(sale.json().message).toMatch(/2022-05 is being reconciled/);
  });
});
