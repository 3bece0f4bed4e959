import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, uniqueId, type Harness } from '../support/harness';

/**
 * The sales-points figures of the reporting module (GET /reports/sales-points), the leaderboard,
 * contests, and the points in the ROI report, over sales written straight to the tables in early
 * 2023 (no other test writes then), in a department of this test's own.
 */
let h: Harness;
const tag = uniqueId('spr').slice(-8);
const dept = `d-${tag}`;
const [north, south] = [`n-${tag}`, `s-${tag}`];
const [shopN, shopS] = [`shop-n-${tag}`, `shop-s-${tag}`];
const [ann, bob, cat] = [`ann-${tag}`, `bob-${tag}`, `cat-${tag}`];
const service = `svc-${tag}`;
const campaign = `spr-${tag}`;
const as = (role: string) => ({ authorization: `Bearer ${h.token(role as never)}` });
const get = (url: string, role = 'finance', accept?: string) =>
  h.inject({ method: 'GET', url, headers: { ...as(role), ...(accept ? { accept } : {}) } });

/**
 * A sale, optionally matched (with its own ledger credit, as months reconciled before migration 039
 * have, unless `grouped`: then `groupedCredit` credits it with others) or unmatched; returns its id.
 */
async function sale(p: { staff: string; outlet: string; area: string; msisdn: string; month: string; day: string; outcome?: 'matched' | 'unmatched'; points?: number; orderId?: string; grouped?: boolean }) {
  const { rows: [e] } = await h.db.query<{ id: string }>(
    `INSERT INTO sales_entries (month, service_code, msisdn, staff_id, outlet, area, department, channel, sale_channel, source, sold_at, recorded_by, order_id, campaign_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'own', 'shop', 'staff', $8, 'test', $9, $10) RETURNING id`,
    [`${p.month}-01`, service, p.msisdn, p.staff, p.outlet, p.area, dept, `${p.day}T02:00:00Z`, p.orderId ?? null, p.orderId ? campaign : null]);
  if (p.outcome) {
    await h.db.query(`INSERT INTO sales_matches (entry_id, month, outcome, reason) VALUES ($1, $2, $3, $4)`,
      [e!.id, `${p.month}-01`, p.outcome, p.outcome === 'unmatched' ? 'not-in-billing' : null]);
  }
  if (p.outcome === 'matched' && !p.grouped) {
    await h.db.query(
      `INSERT INTO points_ledger (month, run_month, staff_id, kind, points, entry_id, service_code, outlet, area, department, reason)
       VALUES ($1, $1, $2, 'sale', $3, $4, $5, $6, $7, $8, 'matched')`,
      [`${p.month}-01`, p.staff, p.points ?? 10, e!.id, service, p.outlet, p.area, dept]);
  }
  return e!.id;
}

/** A month's sales credit as a run writes it (migration 039): one row naming its sales, an equal share each. */
async function groupedCredit(p: { staff: string; outlet: string; area: string; month: string; entryIds: string[]; points: number }) {
  await h.db.query(
    `INSERT INTO points_ledger (month, run_month, staff_id, kind, points, entry_ids, service_code, outlet, area, department, channel, reason)
     VALUES ($1, $1, $2, 'sale', $3, $4::bigint[], $5, $6, $7, $8, 'own', 'matched')`,
    [`${p.month}-01`, p.staff, p.points, p.entryIds, service, p.outlet, p.area, dept]);
}

beforeAll(async () => {
  h = await startHarness();
  const q = (sql: string, params: unknown[]) => h.db.query(sql, params);
  await q(`INSERT INTO sales_org_units (code, kind, name, parent, channel) VALUES ($1, 'department', 'Dept', NULL, NULL), ($2, 'area', 'North', $1, NULL), ($3, 'area', 'South', $1, NULL)`, [dept, north, south]);
  await q(`INSERT INTO sales_org_units (code, kind, name, parent, channel) VALUES ($1, 'outlet', 'Shop N', $3, 'own'), ($2, 'outlet', 'Shop S', $4, 'partner')`, [shopN, shopS, north, south]);
  await q(`INSERT INTO staff (id, name, outlet, updated_by) VALUES ($1, 'Ann', $4, 't'), ($2, 'Bob', $4, 't'), ($3, 'Cat', $5, 't')`, [ann, bob, cat, shopN, shopS]);
  await q(`INSERT INTO sales_services (code, name, updated_by) VALUES ($1, 'News', 't')`, [service]);
  // 10 points until mid-February 2023, 12 from then: a sale earns its day's.
  await q(`INSERT INTO sales_service_terms (service_code, effective_from, monthly_tariff, points, set_by) VALUES ($1, '2023-01-01', 40, 10, 't'), ($1, '2023-02-15', 40, 12, 't')`, [service]);
  // January (reconciled): Ann two matched (credited together by one row), Bob one matched (a row of
  // its own) and one unmatched, and a complaint against Bob.
  await groupedCredit({ staff: ann, outlet: shopN, area: north, month: '2023-01', points: 20, entryIds: [
    await sale({ staff: ann, outlet: shopN, area: north, msisdn: '13800000001', month: '2023-01', day: '2023-01-05', outcome: 'matched', grouped: true }),
    await sale({ staff: ann, outlet: shopN, area: north, msisdn: '13800000002', month: '2023-01', day: '2023-01-06', outcome: 'matched', grouped: true }),
  ] });
  await sale({ staff: bob, outlet: shopN, area: north, msisdn: '13800000003', month: '2023-01', day: '2023-01-07', outcome: 'matched' });
  await sale({ staff: bob, outlet: shopN, area: north, msisdn: '13800000004', month: '2023-01', day: '2023-01-08', outcome: 'unmatched' });
  await q(`INSERT INTO points_ledger (month, run_month, staff_id, kind, points, outlet, area, department, reason) VALUES ('2023-01-01', '2023-01-01', $1, 'complaint', -2, $2, $3, $4, 'a complaint')`, [bob, shopN, north, dept]);
  // February (not reconciled): provisional points, 10 before the 15th and 12 from it.
  await sale({ staff: cat, outlet: shopS, area: south, msisdn: '13800000005', month: '2023-02', day: '2023-02-10' });
  await sale({ staff: cat, outlet: shopS, area: south, msisdn: '13800000006', month: '2023-02', day: '2023-02-20' });
  await sale({ staff: bob, outlet: shopN, area: north, msisdn: '13800000007', month: '2023-02', day: '2023-02-21' });
});
afterAll(async () => { await h?.close(); });

describe('GET /reports/sales-points', () => {
  it('counts sales, matches and points by kind, grouped by area and month; totals from the sums', async () => {
    const res = await get(`/reports/sales-points?from=2023-01&to=2023-02&department=${dept}&groupBy=area,month`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const row = (area: string, month: string) => body.rows.find((r: { group: Record<string, string> }) => r.group.area === area && r.group.month === month);
    expect(row(north, '2023-01').counts).toMatchObject({ sales: 4, reconciled: 4, matched: 3, unmatched: 1, earnedPoints: 30, complaintPoints: -2, totalPoints: 28, provisionalPoints: 0 });
    expect(row(north, '2023-01').rates.matchRate).toBe(0.75);
    expect(row(north, '2023-02').counts).toMatchObject({ sales: 1, reconciled: 0, provisionalPoints: 12 });
    expect(row(south, '2023-02').counts).toMatchObject({ sales: 2, provisionalPoints: 22, totalPoints: 0 });
    expect(body.totals.counts).toMatchObject({ sales: 7, matched: 3, totalPoints: 28, provisionalPoints: 34 });
  });

  it('answers CSV, and refuses a bad question with its field', async () => {
    const csv = await get(`/reports/sales-points?from=2023-01&to=2023-01&department=${dept}&groupBy=staff`, 'finance', 'text/csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('staff,sales,reconciled,matched,awaitingUsage,unmatched,earnedPoints,complaintPoints,clawbackPoints,adjustmentPoints,budgetPoints,totalPoints,provisionalPoints,matchRate,pointsPerMatchedSale');
    expect(lines.find((l) => l.startsWith(`${bob},`))).toBe(`${bob},2,2,1,0,1,10,-2,0,0,0,8,0,0.5,10`);
    const late = await get('/reports/sales-points?from=2023-03&to=2023-01');
    expect(late.statusCode).toBe(422);
    expect(late.json().message).toContain('querystring.from');
    expect((await get('/reports/sales-points?groupBy=area,area')).statusCode).toBe(422);
    expect((await get('/reports/sales-points?from=2024-13')).statusCode).toBe(400);
    expect((await get('/reports/sales-points', 'staff')).statusCode).toBe(403);
  });
});

describe('the leaderboard and contests', () => {
  it('ranks the period\'s sellers on points (ledger and provisional), sales or matched sales, ties sharing a rank', async () => {
    const board = await get(`/sales-points/leaderboard?from=2023-01-01&to=2023-02-28&scope=department:${dept}`, 'staff');
    expect(board.statusCode, board.body).toBe(200);
    // Ann 20 (ledger); Cat 22 (provisional 10 + 12); Bob 10 + 12 provisional = 22: Bob and Cat share rank 1.
    expect(board.json().standings.map((s: { staffId: string; rank: number; score: number }) => [s.staffId, s.rank, s.score])).toEqual([[bob, 1, 22], [cat, 1, 22], [ann, 3, 20]]);
    const bySales = await get(`/sales-points/leaderboard?from=2023-01-01&to=2023-01-31&scope=area:${north}&metric=sales`, 'agent');
    expect(bySales.json().standings.map((s: { staffId: string; score: number }) => [s.staffId, s.score])).toEqual([[ann, 2], [bob, 2]]);
    expect((await get('/sales-points/leaderboard?from=2023-02-30')).statusCode).toBe(422);
    expect((await get('/sales-points/leaderboard?scope=region:x')).statusCode).toBe(400);
  });

  it('a contest: made, repeated, its standings with prizes; once started its period stays', async () => {
    const id = `contest-${tag}`;
    const body = { name: 'Winter push', from: '2023-01-01', to: '2023-02-28', metric: 'matched-sales', scope: { kind: 'department', code: dept }, prizes: [{ rank: 1, prize: 'a phone' }] };
    const put = (payload: object, role = 'marketing') => h.inject({ method: 'PUT', url: `/sales-points/contests/${id}`, payload, headers: as(role) });
    const made = await put(body);
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().status).toBe('ended');
    expect((await put(body)).statusCode).toBe(200);
    // It has started (and ended): its period, metric and scope stay; its prizes may change.
    expect((await put({ ...body, metric: 'points' })).statusCode).toBe(409);
    expect((await put({ ...body, prizes: [{ rank: 1, prize: 'a tablet' }, { rank: 2, prize: 'a voucher' }] })).statusCode).toBe(200);
    const standing = await get(`/sales-points/contests/${id}`, 'staff');
    expect(standing.statusCode, standing.body).toBe(200);
    expect(standing.json().standings.map((s: { staffId: string; rank: number; prize: string | null }) => [s.staffId, s.rank, s.prize]))
      .toEqual([[ann, 1, 'a tablet'], [bob, 2, 'a voucher'], [cat, 3, null]]);
    expect((await put({ ...body, scope: { kind: 'area', code: 'nowhere' } }, 'finance')).json().message).toContain('body.scope.code');
    expect((await put({ ...body, from: '2023-03-01' })).statusCode).toBe(422);
    expect((await put(body, 'staff')).statusCode).toBe(403);
    expect((await get('/sales-points/contests/none-such')).statusCode).toBe(404);
    expect((await get('/sales-points/contests', 'agent')).json().contests.some((c: { id: string }) => c.id === id)).toBe(true);
  });
});

describe('sales points in the ROI report', () => {
  it('prices the points of an order\'s sale at the sales-point rate of the sale\'s day: its share of its credit, no complaint', async () => {
    await h.db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id, created_at) VALUES ($1, 'spr', '{"offer":{"code":"x","name":"x","price":30}}', 'completed', $1, '2023-01-02T00:00Z')`, [campaign]);
    const { rows: [lead] } = await h.db.query<{ id: string }>(
      `INSERT INTO leads (campaign_id, customer_id, msisdn, region, state, listed_at) SELECT $1, id, msisdn, region, 'done', '2023-01-02T01:00Z' FROM customers WHERE id = 100057 RETURNING id`, [campaign]);
    const orderId = `${campaign}-o`;
    await h.db.query(
      `INSERT INTO orders (id, campaign_id, lead_id, customer_id, region, offer_code, status, stage, address, monthly_price, created_at)
       SELECT $1, $2, $3, customer_id, region, 'x', 'completed', 'done', 'addr', 30, '2023-01-09T02:00Z' FROM leads WHERE id = $3`, [orderId, campaign, lead!.id]);
    // the order's sale credited with another sale of Ann's (30 points, 15 each); a complaint against the order
    const ordered = await sale({ staff: ann, outlet: shopN, area: north, msisdn: '13800000008', month: '2023-01', day: '2023-01-09', outcome: 'matched', orderId, grouped: true });
    const other = await sale({ staff: ann, outlet: shopN, area: north, msisdn: '13800000009', month: '2023-01', day: '2023-01-10', outcome: 'matched', grouped: true });
    await groupedCredit({ staff: ann, outlet: shopN, area: north, month: '2023-01', points: 30, entryIds: [ordered, other] });
    await h.db.query(
      `INSERT INTO points_ledger (month, run_month, staff_id, kind, points, entry_id, complaint_order_id, service_code, outlet, area, department, reason)
       VALUES ('2023-01-01', '2023-01-01', $1, 'complaint', -2, $2, $3, $4, $5, $6, $7, 'a complaint')`, [ann, ordered, orderId, service, shopN, north, dept]);
    const rate = await h.inject({ method: 'PUT', url: '/cost-rates', payload: { effectiveFrom: '2023-01-01', rates: [{ category: 'sales-point', amount: 1.2 }] }, headers: as('finance') });
    expect(rate.statusCode).toBe(200);
    const roi = await get(`/reports/roi?campaignId=${campaign}&from=2023-01-01&to=2023-01-31`);
    expect(roi.statusCode, roi.body).toBe(200);
    expect(roi.json().totals.costs.salesPoints).toBe(18);
  });
});
