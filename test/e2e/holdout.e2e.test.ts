import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressQuery } from '../../workflows/campaign/messages';
import { campaignWorkflowId } from '../../domain/campaign/ids';
import { MIN_GROUP } from '../../domain/reports/evaluation';
import { api, launch, testCampaign } from '../support/campaigns';
import { ownDatabase } from '../support/own-database';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';

// A campaign with a control group through the API, on a database of its own (the test changes
// customers' spend and churn, which the shared customer base's other users must not see): the
// held-out leads are never called, the campaign still ends, and the evaluation's counts are the
// tables' own.

let h: Harness;
beforeAll(async () => {
  const databaseUrl = await ownDatabase('holdout', 400);
  h = await startHarness({ databaseUrl, sims: { courier: { mix: { delivered: 1, 'customer-absent': 0, 'wrong-address': 0, refused: 0 } } } });
});
afterAll(async () => { await h?.close(); });

const n = async (sql: string, params: unknown[]) => Number((await h.db.query<{ n: string }>(sql, params)).rows[0]!.n);

describe('a campaign with a holdout', () => {
  it('never calls its held-out leads, ends, and its evaluation counts what the tables hold', async () => {
    const id = uniqueId('hold-e2e');
    const offer = { code: 'fiber-300', name: 'Fibre 300M', price: 99 };
    await launch(h, testCampaign(id, {
      offer, segment: { maxLeads: 240 }, holdout: { share: 0.25 },
      dialing: { maxConcurrentCalls: 30, maxAttempts: 2, retryDelaySeconds: 1 },
    }));
    const done = await waitUntil('the campaign to complete', async () => {
      const c = await api(h, 'GET', `/campaigns/${id}`);
      return c.body.status === 'completed' ? c.body : undefined;
    }, { timeoutMs: 240_000, intervalMs: 1000 });
    expect(done.endedBecause).toBe('list finished');

    const heldOut = (await h.db.query<{ id: string; customer_id: string }>(
      `SELECT id, customer_id FROM leads WHERE campaign_id = $1 AND state = 'held-out' ORDER BY id`, [id])).rows;
    const all = await n('SELECT count(*) AS n FROM leads WHERE campaign_id = $1', [id]);
    expect(all).toBe(240);
    expect(heldOut.length).toBeGreaterThan(30);
    expect(heldOut.length).toBeLessThan(90);
    // never claimed, never called, never released: still held out after the end
    expect(await n(`SELECT count(*) AS n FROM call_attempts a JOIN leads l ON l.id = a.lead_id
                     WHERE l.campaign_id = $1 AND l.state = 'held-out'`, [id])).toBe(0);
    expect(await n(`SELECT count(*) AS n FROM call_attempts WHERE customer_id = ANY($1::bigint[])`, [heldOut.map((l) => l.customer_id)])).toBe(0);
    expect(await n(`SELECT count(*) AS n FROM leads WHERE campaign_id = $1 AND state = 'held-out' AND (attempts > 0 OR claim_id IS NOT NULL)`, [id])).toBe(0);
    expect(await n(`SELECT count(*) AS n FROM leads WHERE campaign_id = $1 AND state NOT IN ('done', 'held-out')`, [id])).toBe(0);
    // the campaign's progress counts the treated leads as listed
    const progress = await h.client.workflow.getHandle(campaignWorkflowId(id)).query(progressQuery);
    expect(progress.listed).toBe(all - heldOut.length);

    // Held-out customers buy through another channel; some customers leave, some spend more.
    const buyers = heldOut.slice(0, 3).map((l) => Number(l.customer_id));
    for (const customerId of buyers) {
      const res = await api(h, 'POST', '/orders', { customerId, offer }, { 'idempotency-key': `${id}-${customerId}` });
      expect(res.status).toBe(201);
    }
    await h.db.query(`UPDATE customers SET churned_at = current_date
                       WHERE id IN (SELECT customer_id FROM leads WHERE campaign_id = $1 AND in_network_at_pull AND id % 7 = 0)`, [id]);
    await h.db.query(`UPDATE customers SET spend_last_month = spend_last_month + 10
                       WHERE id IN (SELECT customer_id FROM leads WHERE campaign_id = $1 AND id % 3 = 0)`, [id]);
    // every order activated (or ended without), so the counts below hold still
    await waitUntil('orders to be activated', async () =>
      (await n(`SELECT count(*) AS n FROM orders WHERE activated_at IS NULL AND status NOT IN ('cancelled', 'failed')`, [])) === 0,
    { timeoutMs: 120_000, intervalMs: 1000 });

    const res = await api(h, 'GET', `/reports/evaluation?campaignId=${id}`, undefined, { authorization: `Bearer ${h.token('finance')}` });
    expect(res.status).toBe(200);
    const e = res.body;
    expect(e.holdout).toEqual({ share: 0.25 });
    expect(e.groups).toEqual({ treated: { leads: all - heldOut.length }, heldOut: { leads: heldOut.length } });
    expect(e.period.followThroughDays).toBe(30);
    expect(e.period.campaignEnded).not.toBeNull();

    // The same figures straight from the tables, each group its own way.
    const group = async (held: boolean) => {
      const where = `l.campaign_id = $1 AND (l.state = 'held-out') = ${held}`;
      const buyersOf = `SELECT DISTINCT o.customer_id FROM orders o WHERE o.offer_code = 'fiber-300' AND o.created_at >= l.listed_at`;
      return {
        leads: await n(`SELECT count(*) AS n FROM leads l WHERE ${where}`, [id]),
        ordered: await n(`SELECT count(*) AS n FROM leads l WHERE ${where} AND l.customer_id IN (${buyersOf})`, [id]),
        activated: await n(`SELECT count(*) AS n FROM leads l WHERE ${where} AND l.customer_id IN (${buyersOf} AND o.activated_at IS NOT NULL)`, [id]),
        atRisk: await n(`SELECT count(*) AS n FROM leads l JOIN customers c ON c.id = l.customer_id
                          WHERE ${where} AND l.in_network_at_pull AND (c.churned_at IS NULL OR c.churned_at >= l.listed_at::date)`, [id]),
        churned: await n(`SELECT count(*) AS n FROM leads l JOIN customers c ON c.id = l.customer_id
                           WHERE ${where} AND l.in_network_at_pull AND c.churned_at = current_date`, [id]),
        spend: (await h.db.query<{ n: string; mean: string }>(`SELECT count(*) AS n, avg(c.spend_last_month - l.spend_at_pull) AS mean
                  FROM leads l JOIN customers c ON c.id = l.customer_id WHERE ${where}`, [id])).rows[0]!,
      };
    };
    const t = await group(false);
    const k = await group(true);
    expect(k.ordered).toBe(buyers.length); // the held-out ones bought through another channel only
    expect(k.activated).toBe(buyers.length);
    expect(t.ordered).toBe(done.funnel.ordered);
    const m = Object.fromEntries((e.measures as { measure: string }[]).map((x) => [x.measure, x])) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(Object.keys(m)).toEqual(['ordered', 'activated', 'spendChange', 'churned']);
    expect(m.ordered.treated).toEqual({ n: t.leads, events: t.ordered, value: t.ordered / t.leads });
    expect(m.ordered.heldOut).toEqual({ n: k.leads, events: k.ordered, value: k.ordered / k.leads });
    expect([m.activated.treated.events, m.activated.heldOut.events]).toEqual([t.activated, k.activated]);
    expect([m.churned.treated.n, m.churned.treated.events, m.churned.heldOut.n, m.churned.heldOut.events]).toEqual([t.atRisk, t.churned, k.atRisk, k.churned]);
    expect(t.churned + k.churned).toBeGreaterThan(0);
    expect([m.spendChange.treated.n, m.spendChange.heldOut.n]).toEqual([Number(t.spend.n), Number(k.spend.n)]);
    expect(m.spendChange.treated.value).toBeCloseTo(Number(t.spend.mean), 6);
    expect(m.spendChange.heldOut.value).toBeCloseTo(Number(k.spend.mean), 6);
    for (const x of Object.values(m)) {
      expect(['too-small', 'no-difference', 'raised', 'lowered']).toContain(x.verdict);
      if (x.verdict !== 'too-small') expect(x.ci.lower <= x.uplift && x.uplift <= x.ci.upper).toBe(true);
    }
    // ~180 treated against ~60 held out: the calls' orders stand out from a held-out group that bought 3
    expect(k.leads).toBeGreaterThanOrEqual(MIN_GROUP);
    expect(m.ordered.verdict).toBe('raised');
    expect(m.ordered.says).toMatch(/^the campaign raised the share of customers who ordered the offer by/);

    // who may read it: marketing, finance, ops (reads anything); not an agent
    for (const [role, status] of [['marketing', 200], ['ops', 200], ['agent', 403]] as const) {
      const r = await api(h, 'GET', `/reports/evaluation?campaignId=${id}`, undefined, { authorization: `Bearer ${h.token(role)}` });
      expect(r.status, role).toBe(status);
    }
  }, 360_000);

  it('says plainly when there is nothing to compare, and refuses what is not a campaign', async () => {
    const id = uniqueId('no-hold');
    // scheduled far ahead: no list, no calls; the evaluation reads the definition alone
    await launch(h, testCampaign(id, { startAt: '2099-01-01T00:00:00Z' }));
    const res = await api(h, 'GET', `/reports/evaluation?campaignId=${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ campaignId: id, holdout: null, period: null, groups: null, measures: [] });
    expect(res.body.explanation).toMatch(/held out no share of its list/);
    expect((await api(h, 'POST', `/campaigns/${id}/cancel`, {})).status).toBe(200);

    const unknown = await api(h, 'GET', '/reports/evaluation?campaignId=no-such-campaign');
    expect(unknown.status).toBe(404);
    const bad = await api(h, 'GET', '/reports/evaluation');
    expect([bad.status, bad.body.issues?.[0]?.path]).toEqual([400, 'querystring.campaignId']);
    const far = await api(h, 'GET', `/reports/evaluation?campaignId=${id}&followThroughDays=400`);
    expect([far.status, far.body.issues?.[0]?.path]).toEqual([400, 'querystring.followThroughDays']);
  });
});
