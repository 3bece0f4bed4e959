import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNNEL_STEPS, type Funnel } from '../../domain/reports/funnel';
import { campaignWorkflowId } from '../../domain/campaign/ids';
import { api, launch, testCampaign, simGet } from '../support/campaigns';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ sims: { courier: { mix: { delivered: 0.85, 'customer-absent': 0.1, 'wrong-address': 0.05, refused: 0 } } } });
});
afterAll(async () => { await h?.close(); });

/** The funnel counted straight from the tables, independently of the API's own query. */
async function funnelFromTables(campaignId: string): Promise<Funnel> {
  const q = async (sql: string) => Number((await h.db.query<{ n: string }>(sql, [campaignId])).rows[0]!.n);
  return {
    listed: await q('SELECT count(*) AS n FROM leads WHERE campaign_id = $1'),
    dialed: await q(`SELECT count(*) AS n FROM leads l WHERE campaign_id = $1 AND EXISTS
      (SELECT 1 FROM call_attempts a WHERE a.lead_id = l.id AND a.purpose = 'sales' AND a.disposition NOT IN ('not-placed', 'blocked'))`),
    connected: await q(`SELECT count(*) AS n FROM leads l WHERE campaign_id = $1 AND EXISTS
      (SELECT 1 FROM call_attempts a WHERE a.lead_id = l.id AND a.purpose = 'sales' AND a.connected)`),
    accepted: await q(`SELECT count(*) AS n FROM leads l WHERE campaign_id = $1 AND EXISTS
      (SELECT 1 FROM call_attempts a WHERE a.lead_id = l.id AND a.purpose = 'sales' AND a.disposition = 'accepted')`),
    ordered: await q('SELECT count(*) AS n FROM orders WHERE campaign_id = $1'),
    delivered: await q(`SELECT count(DISTINCT d.order_id) AS n FROM deliveries d JOIN orders o ON o.id = d.order_id
      WHERE o.campaign_id = $1 AND d.outcome = 'delivered'`),
    activated: await q('SELECT count(*) AS n FROM orders WHERE campaign_id = $1 AND activation_ref IS NOT NULL'),
    followedUp: await q(`SELECT count(*) AS n FROM orders o WHERE campaign_id = $1 AND EXISTS
      (SELECT 1 FROM call_attempts a WHERE a.order_id = o.id AND a.purpose = 'followup' AND a.connected)`),
  };
}

describe('a campaign end to end, through the API', () => {
  it('funnel, orders, visibility and the BSS all agree', async () => {
    const id = uniqueId('e2e');
    const created = await launch(h, testCampaign(id, {
      segment: { maxLeads: 300 },
      dialing: { maxConcurrentCalls: 30, maxAttempts: 2, retryDelaySeconds: 1 },
    }));
    expect(created.workflowId).toBe(campaignWorkflowId(id));

    // Play the scheduler: a held delivery is retried until the courier gets through.
    const settled = await waitUntil('campaign and orders to settle', async () => {
      const held = await api(h, 'GET', `/orders?campaignId=${id}&status=held&limit=200`);
      for (const o of held.body.orders) await api(h, 'POST', `/orders/${o.id}/delivery/retry`, {});
      const c = await api(h, 'GET', `/campaigns/${id}`);
      const done = await api(h, 'GET', `/orders?campaignId=${id}&stage=done&limit=1`);
      return c.body.status === 'completed' && done.body.total === c.body.funnel.ordered ? c.body : undefined;
    }, { timeoutMs: 240_000, intervalMs: 1000 });

    const funnel = settled.funnel as Funnel;
    expect(funnel.listed).toBe(300);
    expect(funnel).toEqual(await funnelFromTables(id));
    for (let i = 1; i < FUNNEL_STEPS.length; i++) {
      expect(funnel[FUNNEL_STEPS[i]!]).toBeLessThanOrEqual(funnel[FUNNEL_STEPS[i - 1]!]);
    }
    expect(funnel.accepted).toBeGreaterThan(30);
    expect(funnel.ordered).toBe(funnel.accepted);
    expect(funnel.activated).toBe(funnel.ordered);

    // The reports (rollups, each fact on its own day) add up to the campaign's own funnel.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const report = await api(h, 'GET', `/reports/funnel?campaignId=${id}&groupBy=day&from=${day(-2)}&to=${day(2)}`);
    expect(report.status).toBe(200);
    const reported = report.body.totals.counts;
    expect(Object.fromEntries(FUNNEL_STEPS.map((k) => [k, reported[k]]))).toEqual(funnel);

    // every accepted lead has exactly one order
    const { rows: strays } = await h.db.query(
      `SELECT l.id, count(o.id) AS orders FROM leads l LEFT JOIN orders o ON o.lead_id = l.id
        WHERE l.campaign_id = $1 AND l.last_disposition = 'accepted' GROUP BY l.id HAVING count(o.id) <> 1`, [id]);
    expect(strays).toEqual([]);

    // Temporal's visibility finds exactly the same orders by CampaignId (listed, as an operator
    // would with `temporal workflow list --query`; the dev server's count() can over-count)
    const query = `CampaignId = '${id}' AND WorkflowType = 'orderWorkflow'`;
    const listIds = async (q: string) => {
      const ids: string[] = [];
      for await (const wf of h.client.workflow.list({ query: q })) ids.push(wf.workflowId);
      return ids.sort();
    };
    const { rows: orderRows } = await h.db.query<{ id: string; status: string }>(
      'SELECT id, status FROM orders WHERE campaign_id = $1', [id]);
    const expected = orderRows.map((r) => `order-${r.id}`).sort();
    const completed = orderRows.filter((r) => r.status === 'completed').map((r) => `order-${r.id}`).sort();
    await waitUntil('visibility to catch up', async () =>
      JSON.stringify(await listIds(`${query} AND OrderStatus = 'completed'`)) === JSON.stringify(completed), { timeoutMs: 20_000 })
      .catch(() => undefined);
    expect(await listIds(query)).toEqual(expected);
    expect(await listIds(`${query} AND OrderStatus = 'completed'`)).toEqual(completed);

    // the BSS activated each activated order exactly once
    const { rows: activated } = await h.db.query<{ id: string }>(
      'SELECT id FROM orders WHERE campaign_id = $1 AND activation_ref IS NOT NULL', [id]);
    for (const o of activated) {
      const key = await simGet(`${h.sims.bssUrl}/activations/${o.id}`);
      expect(key.count).toBe(1);
    }
  });
});
