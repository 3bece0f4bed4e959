import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, uniqueId, type Harness } from '../support/harness';

/**
 * Cost rates (effective-dated) and GET /reports/roi over a campaign of known facts in April 2025
 * (no other test writes then): one agent's day of two calls, an order activated, delivered on
 * its first attempt, one item shipped and a refund; each cost priced by the rate of its day.
 */
let h: Harness;
const campaign = uniqueId('roi');
const team = `t${campaign.slice(-8)}`;
const agent = `${campaign}-a`;
const orderId = `${campaign}-o`;
const sku = `sku-${campaign.slice(-8)}`;
const as = (role: 'finance' | 'marketing' | 'agent') => ({ authorization: `Bearer ${h.token(role)}` });
const putRates = (payload: object, role: 'finance' | 'marketing' = 'finance') =>
  h.inject({ method: 'PUT', url: '/cost-rates', payload, headers: as(role) });
const roi = async (query = '') =>
  h.inject({ method: 'GET', url: `/reports/roi?campaignId=${campaign}&to=2025-04-30&${query}`, headers: as('finance') });

beforeAll(async () => {
  h = await startHarness();
  // Calls written straight to the tables take the 'audit-' prefix of synthetic calls, which the
  // compliance audit test leaves out (one is at 01:30 local time, outside any calling window).
  const definition = { offer: { code: 'roi-offer', name: 'ROI offer', price: 58 }, team };
  await h.db.query(`INSERT INTO teams (code, name) VALUES ($1, 'roi team')`, [team]);
  await h.db.query(`INSERT INTO agents (id, team, name) VALUES ($1, $2, 'R One')`, [agent, team]);
  await h.db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id, created_at) VALUES ($1, 'roi', $2, 'completed', $1, '2025-04-10T00:00Z')`, [campaign, definition]);
  const { rows: [lead] } = await h.db.query<{ id: string }>(
    `INSERT INTO leads (campaign_id, customer_id, msisdn, region, state, listed_at)
     SELECT $1, id, msisdn, region, 'done', '2025-04-10T01:00Z' FROM customers WHERE id = 100055 RETURNING id`, [campaign]);
  const { rows: [lead2] } = await h.db.query<{ id: string }>(
    `INSERT INTO leads (campaign_id, customer_id, msisdn, region, state, listed_at)
     SELECT $1, id, msisdn, region, 'done', '2025-04-10T01:00Z' FROM customers WHERE id = 100056 RETURNING id`, [campaign]);
  for (const [id, leadId, disposition, start, sec] of [['c1', lead!.id, 'accepted', '2025-04-10T02:00Z', 120], ['c2', lead2!.id, 'refused', '2025-04-10T02:10Z', 60]] as const) {
    await h.db.query(
      `INSERT INTO call_attempts (id, purpose, campaign_id, lead_id, attempt_no, disposition, connected, duration_sec, agent_id, started_at, ended_at)
       VALUES ($1, 'sales', $2, $3, 1, $4, true, $5::int, $6, $7::timestamptz, $7::timestamptz + make_interval(secs => $5::int))`,
      [`audit-${campaign}-${id}`, campaign, leadId, disposition, sec, agent, start]);
  }
  await h.db.query(
    `INSERT INTO orders (id, campaign_id, lead_id, customer_id, region, offer_code, status, stage, address, agent_id, monthly_price, created_at, delivered_at, activated_at)
     SELECT $1, $2, $3, customer_id, region, 'roi-offer', 'completed', 'done', 'addr', $4, 58, '2025-04-10T02:05Z', '2025-04-11T01:00Z', '2025-04-11T02:00Z'
       FROM leads WHERE id = $3`, [orderId, campaign, lead!.id, agent]);
  await h.db.query(`INSERT INTO deliveries (id, order_id, attempt, address, outcome, outcome_at) VALUES ($1 || '-d1', $1, 1, 'addr', 'delivered', '2025-04-11T01:00Z')`, [orderId]);
  await h.db.query(`INSERT INTO stock_reservations (order_id, sku, warehouse, qty, state, updated_at) VALUES ($1, $2, 'wh-south', 1, 'shipped', '2025-04-11T01:00Z')`, [orderId, sku]);
  await h.db.query(`INSERT INTO payments (id, order_id, kind, method, amount, at, business_date) VALUES ($1 || '-refund', $1, 'refund', 'deposit', 10, '2025-04-12T03:00Z', '2025-04-12')`, [orderId]);
});
afterAll(async () => { await h?.close(); });

describe('cost rates and GET /reports/roi', () => {
  it('prices each cost by the rate of its day, and gives revenue, cost per sale and ROI', async () => {
    // A general agent-hour rate from January; the team's own from the day after the calls.
    expect((await putRates({ effectiveFrom: '2025-01-01', rates: [
      { category: 'agent-hour', amount: 60 }, { category: 'connected-minute', amount: 0.1 }, { category: 'placed-call', amount: 0.05 },
      { category: 'delivery-attempt', amount: 8 }, { category: 'goods-item', scope: sku, amount: 20 },
    ] })).statusCode).toBe(200);
    expect((await putRates({ effectiveFrom: '2025-04-11', rates: [{ category: 'agent-hour', scope: team, amount: 120 }] })).statusCode).toBe(200);
    const before = (await roi()).json();
    expect(before.from).toBe('2025-04-09');
    expect(before.campaign).toEqual({ id: campaign, status: 'completed', running: false });
    // 11 minutes of the agent's day at 60/h = 11; 3 connected minutes × 0.1 + 2 calls × 0.05 = 0.4
    expect(before.totals.costs).toEqual({ agents: 11, telephony: 0.4, delivery: 8, goods: 20, salesPoints: 0 });
    expect(before.totals.totalCost).toBe(39.4);
    expect(before.totals.revenue).toEqual({ activated: 1, months: 12, gross: 696, refunds: 10, net: 686 });
    expect(before.totals).toMatchObject({ sales: 1, costPerSale: 39.4, roi: Number(((686 - 39.4) / 39.4).toFixed(4)) });

    // The team's rate moved back to the 1st: the calls' day is costed at 120/h from then on.
    await putRates({ effectiveFrom: '2025-04-01', rates: [{ category: 'agent-hour', scope: team, amount: 120 }] });
    const after = (await roi('months=24')).json();
    expect(after.totals.costs.agents).toBe(22);
    expect(after.totals.revenue.gross).toBe(1392);
    const rates = (await h.inject({ method: 'GET', url: '/cost-rates?at=2025-04-05', headers: as('marketing') })).json();
    expect(rates.inForce).toContainEqual(expect.objectContaining({ category: 'agent-hour', scope: team, amount: 120, effectiveFrom: '2025-04-01', setBy: 'dev-finance (finance)' }));
    expect(rates.history.filter((r: { scope: string }) => r.scope === team)).toHaveLength(2);
  });

  it('groups like the funnel', async () => {
    const byDay = (await roi('groupBy=day')).json();
    expect(byDay.rows.map((r: { group: { day: string } }) => r.group.day)).toEqual(['2025-04-10', '2025-04-11', '2025-04-12']);
    expect(byDay.rows[0].costs.agents).toBeGreaterThan(0);
    expect(byDay.rows[2].revenue.refunds).toBe(10);
  });

  it('refuses bad rates with the field at fault, and callers without the role', async () => {
    const bad = await putRates({ effectiveFrom: '2025-04-01', rates: [{ category: 'coffee', amount: 1 }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0].path).toBe('body.rates.0.category');
    const scoped = await putRates({ effectiveFrom: '2025-04-01', rates: [{ category: 'placed-call', scope: 'x1', amount: 1 }] });
    expect(scoped.statusCode).toBe(422);
    expect(scoped.json().issues[0].path).toBe('body.rates.0.scope');
    expect((await putRates({ effectiveFrom: '2025-02-30', rates: [{ category: 'placed-call', amount: 1 }] })).statusCode).toBe(422);
    expect((await putRates({ effectiveFrom: '2025-04-01', rates: [{ category: 'placed-call', amount: 1 }] }, 'marketing')).statusCode).toBe(403);
    expect((await h.inject({ method: 'GET', url: `/reports/roi?campaignId=${campaign}`, headers: as('agent') })).statusCode).toBe(403);
    expect((await h.inject({ method: 'GET', url: '/reports/roi?campaignId=nope', headers: as('finance') })).statusCode).toBe(404);
    expect((await h.inject({ method: 'GET', url: '/cost-rates?at=2025-13-01', headers: as('finance') })).statusCode).toBe(400);
  });
});
