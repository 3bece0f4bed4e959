import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createPool, type Db } from '../../infra/db';
import { reconcileMonth } from '../../db/sales-points/reconcile-sql';
import { readSalesPointsPanel } from '../../api/dashboard/sales-points-data';
import { addEntry, addImport, makeOrg, makeService, makeStaff, tag } from '../support/sales-points';

/**
 * The dashboard's sales-points panel (api/dashboard/sales-points-data.ts) against its month's
 * rows: points by area, the staff leaderboard. Its own month, 2046-07, which no other test uses.
 */
let db: Db;
const tz = 'Asia/Shanghai';
beforeAll(() => { db = createPool(inject('databaseUrl'), 2); });
afterAll(async () => { await db?.end(); });

describe('the dashboard\'s sales points', () => {
  it('shows the month\'s points by area and its staff ranked by points', async () => {
    const t = tag();
    const org = await makeOrg(db, `d${t}`);
    const [ann, bob] = [await makeStaff(db, `da-${t}`, org), await makeStaff(db, `db-${t}`, org)];
    const svc = await makeService(db, `dash-${t}`, [{ from: '2029-01-01', points: 10 }]);
    const lines = [];
    for (const [staff, n] of [[ann, 1], [ann, 2], [bob, 3], [bob, 4]] as const) {
      const msisdn = `1370${t.replace(/\D/g, '').padEnd(3, '7').slice(0, 3)}${String(n).padStart(4, '0')}`;
      await addEntry(db, { service: svc, msisdn, staff, org, soldAt: `2046-07-0${n}T04:00:00Z` });
      // bob's second sale is not in billing
      if (n !== 4) lines.push({ msisdn, service: svc, activatedOn: `2046-07-0${n}` });
    }
    await reconcileMonth(db, '2046-07', { importId: await addImport(db, '2046-07', lines), timeZone: tz });

    const panel = await readSalesPointsPanel(db, tz, new Date('2046-07-20T04:00:00Z'));
    expect(panel.month).toBe('2046-07');
    const area = panel.byArea.find((a) => a.area === org.area);
    expect(area?.counts).toMatchObject({ sales: 4, reconciled: 4, matched: 3, unmatched: 1, earnedPoints: 30, totalPoints: 30, provisionalPoints: 0 });
    expect(panel.top.map((s) => [s.rank, s.staffId, s.sales, s.matched, s.points])).toEqual([[1, ann, 2, 2, 20], [2, bob, 2, 1, 10]]);
    expect(Array.isArray(panel.alerts)).toBe(true);
  });
});
