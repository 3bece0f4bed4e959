import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { monthAt } from '../../domain/sales-points/month';
import { SALES_POINTS_BUDGET_WATCH_WORKFLOW } from '../../workflows/sales-points/messages';
import { startHarness, uniqueId, type Harness } from '../support/harness';

/**
 * The budget watch (docs/sales-points.md, Budget watch): provisional points against a month's
 * budget raise an alert at 80% and at 100%, each once, delivered to finance's address as a signed
 * webhook (a receiver here that refuses the first attempt); GET /alerts and acknowledging them.
 */
let h: Harness;
let receiver: http.Server;
const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
const code = uniqueId('w').toLowerCase();
const area = `a-${code}`;
let month: string;
let refusedOnce = false;

beforeAll(async () => {
  h = await startHarness();
  month = monthAt(new Date(), h.config.OPERATOR_TIME_ZONE);
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      // The first alert of this test's area is refused once: the attempt is recorded and made again.
      if (body.includes(area) && !refusedOnce) {
        refusedOnce = true;
        res.writeHead(503).end();
        return;
      }
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  await h.db.query('UPDATE sales_points_settings SET alert_webhook_url = $1', [`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`]);
  await h.db.query(`INSERT INTO sales_org_units (code, kind, name, parent, channel) VALUES
                      ($1, 'department', 'Dept', NULL, NULL), ($2, 'area', 'Area', $1, NULL), ($3, 'outlet', 'Shop', $2, 'own')`,
  [`d-${code}`, area, `o-${code}`]);
  await h.db.query(`INSERT INTO staff (id, name, outlet, updated_by) VALUES ($1, 'Seller', $2, 'test')`, [`s-${code}`, `o-${code}`]);
  await h.db.query(`INSERT INTO sales_services (code, name, updated_by) VALUES ($1, 'Video pack', 'test')`, [`svc-${code}`]);
  // 40 points until the 20th, 10 from then on: a sale earns the terms of its day.
  await h.db.query(`INSERT INTO sales_service_terms (service_code, effective_from, monthly_tariff, points, set_by)
                    VALUES ($1, '2000-01-01', 160, 40, 'test'), ($1, $2::date, 40, 10, 'test')`, [`svc-${code}`, `${month}-20`]);
  await h.db.query(`INSERT INTO points_budgets (month, scope_kind, scope_code, points, overrun_policy, set_by)
                    VALUES ($1::date, 'area', $2, 100, 'pay-and-flag', 'test')`, [`${month}-01`, area]);
});
afterAll(async () => {
  await h.db.query('UPDATE sales_points_settings SET alert_webhook_url = NULL');
  receiver?.close();
  await h?.close();
});

let sale = 0;
/** A sale of this test's area on a day of the month; from an order (none activated) or recorded by a person. */
async function recordSale(day: string, source: 'staff' | 'csv' | 'order' = 'staff'): Promise<string | null> {
  sale++;
  const orderId = source === 'order' ? uniqueId('bw-order') : null;
  if (orderId) {
    await h.db.query(`INSERT INTO orders (id, customer_id, region, offer_code, status, stage, address, channel)
                      SELECT $1, c.id, c.region, $2, 'open', 'delivery', c.address, 'api' FROM customers c ORDER BY c.id LIMIT 1`, [orderId, `svc-${code}`]);
  }
  await h.db.query(
    `INSERT INTO sales_entries (month, service_code, msisdn, staff_id, outlet, area, department, channel, sale_channel, source, order_id, sold_at, recorded_by)
     VALUES ($1::date, $2, $3, $4, $5, $6, $7, 'own', 'shop', $8, $9, $10::timestamptz, 'test')`,
    [`${month}-01`, `svc-${code}`, `1380000${String(sale).padStart(4, '0')}`, `s-${code}`, `o-${code}`, area, `d-${code}`, source, orderId, `${month}-${day}T04:00:00Z`]);
  return orderId;
}
const watch = () => h.client.workflow.execute(SALES_POINTS_BUDGET_WATCH_WORKFLOW, {
  taskQueue: h.taskQueue, workflowId: uniqueId('budget-watch'), args: [{ timeZone: h.config.OPERATOR_TIME_ZONE }],
}) as Promise<{ raised: number; delivered: number; failed: number }>;
const areaAlerts = async () => (await h.db.query<{ id: string; level: string; delivered_at: Date | null; delivery_attempts: number; last_error: string | null }>(
  `SELECT id, level, delivered_at, delivery_attempts, last_error FROM alerts WHERE kind = 'points-budget' AND subject = $1 ORDER BY id`,
  [`${month}/area/${area}`])).rows;

describe('the budget watch', () => {
  it('raises 80% and 100% once each, from activated or recorded sales at the points of their day, and delivers them signed', async () => {
    await recordSale('02');
    const orderId = await recordSale('05', 'order'); // its order is not activated yet: not counted
    await recordSale('21'); // 10 points: the terms from the 20th
    expect((await watch()).raised).toBe(0); // 50 of 100
    expect(await areaAlerts()).toEqual([]);

    await recordSale('03', 'csv'); // 90: past 80%
    expect((await watch()).raised).toBe(1);
    // The receiver refused it once: the attempt is recorded, and the next pass delivers it.
    expect(await areaAlerts()).toEqual([expect.objectContaining({ level: '80%', delivered_at: null, delivery_attempts: 1, last_error: 'the alert address answered 503' })]);
    expect((await watch()).raised).toBe(0);
    expect(await areaAlerts()).toEqual([expect.objectContaining({ level: '80%', delivery_attempts: 2, last_error: null, delivered_at: expect.any(Date) })]);

    await h.db.query('UPDATE orders SET activated_at = now() WHERE id = $1', [orderId]); // 130: past 100%
    expect((await watch()).raised).toBe(1);
    expect((await watch()).raised).toBe(0); // nothing twice
    const alerts = await areaAlerts();
    expect(alerts.map((a) => [a.level, a.delivery_attempts, a.delivered_at !== null])).toEqual([['80%', 2, true], ['100%', 1, true]]);

    const verifier = new Webhook(h.config.ALERT_WEBHOOK_SECRET!);
    const ours = received.filter((r) => r.body.includes(area));
    expect(ours).toHaveLength(2);
    for (const r of ours) {
      const payload = verifier.verify(r.body, r.headers as Record<string, string>) as { id: number; level: string; message: string };
      expect(r.headers['webhook-id']).toBe(String(payload.id));
      expect(payload.message).toMatch(/Points budget .* (90|130) of 100 points accrued provisionally/);
    }
    expect(ours.map((r) => (JSON.parse(r.body) as { level: string }).level).sort()).toEqual(['100%', '80%']);

    const usage = await h.inject({ method: 'GET', url: `/sales-points/budgets/usage?month=${month}`, headers: { authorization: `Bearer ${h.token('marketing')}` } });
    expect(usage.statusCode).toBe(200);
    expect(usage.json().budgets).toContainEqual(expect.objectContaining({ scopeKind: 'area', scopeCode: area, budget: 100, provisional: 130, sales: 4, share: 1.3 }));
  });

  it('lists alerts (GET /alerts) and finance acknowledges them', async () => {
    const finance = { authorization: `Bearer ${h.token('finance', 'fiona')}` };
    const open = (await h.inject({ method: 'GET', url: '/alerts?kind=points-budget&open=true', headers: { authorization: `Bearer ${h.token('marketing')}` } })).json() as { alerts: { id: number; subject: string; level: string }[] };
    const mine = open.alerts.filter((a) => a.subject === `${month}/area/${area}`);
    expect(mine.map((a) => a.level)).toEqual(['100%', '80%']);

    const ack = await h.inject({ method: 'POST', url: `/alerts/${mine[0]!.id}/acknowledge`, headers: finance });
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toMatchObject({ acknowledgedBy: 'fiona (finance)' });
    expect((await h.inject({ method: 'POST', url: `/alerts/${mine[0]!.id}/acknowledge`, headers: { authorization: `Bearer ${h.token('finance', 'other')}` } })).json())
      .toMatchObject({ acknowledgedBy: 'fiona (finance)' });
    const stillOpen = (await h.inject({ method: 'GET', url: '/alerts?kind=points-budget&open=true', headers: finance })).json() as { alerts: { id: number }[] };
    expect(stillOpen.alerts.map((a) => a.id)).not.toContain(mine[0]!.id);
    const closed = (await h.inject({ method: 'GET', url: '/alerts?open=false', headers: finance })).json() as { alerts: { id: number }[] };
    expect(closed.alerts.map((a) => a.id)).toContain(mine[0]!.id);

    expect((await h.inject({ method: 'POST', url: '/alerts/999999999/acknowledge', headers: finance })).statusCode).toBe(404);
    expect((await h.inject({ method: 'POST', url: `/alerts/${mine[1]!.id}/acknowledge`, headers: { authorization: `Bearer ${h.token('marketing')}` } })).statusCode).toBe(403);
    expect((await h.inject({ method: 'GET', url: '/alerts?open=maybe', headers: finance })).statusCode).toBe(400);
  });
});
