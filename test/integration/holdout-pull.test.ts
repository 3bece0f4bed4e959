import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createCampaignActivities } from '../../activities/campaign/campaigns';
import { campaignWorkflowId } from '../../domain/campaign/ids';
import { holdoutDraw, isHeldOut } from '../../domain/campaign/holdout';
import { createPool, type Db } from '../../infra/db';
import { uniqueId } from '../support/harness';

/**
 * The list pull of a campaign with a holdout, on the suite's Postgres: the SQL draw equals the
 * TypeScript twin, the split is the hash's (stable, the share within tolerance), the held-out
 * customers pass the same exclusions as the treated ones, maxLeads bounds both groups, and every
 * lead keeps its baseline.
 */
let db: Db;
beforeAll(() => { db = createPool(inject('databaseUrl'), 4); });
afterAll(async () => { await db?.end(); });

// An offer nobody owns and no contact cap: other tests' calls and activations change no one's eligibility.
const OFFER = 'holdout-test-offer';

async function newCampaign(holdout?: { share: number }): Promise<string> {
  const id = uniqueId('hold');
  await db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, 'holdout test', $2, 'pending', $3)`,
    [id, JSON.stringify(holdout ? { holdout } : {}), campaignWorkflowId(id)]);
  return id;
}
const leadsOf = async (campaignId: string) => (await db.query<{ customer_id: string; state: string; spend_at_pull: string; in_network_at_pull: boolean; spend: string; in_network: boolean }>(
  `SELECT l.customer_id, l.state, l.spend_at_pull, l.in_network_at_pull, c.spend_last_month AS spend, c.in_network
     FROM leads l JOIN customers c ON c.id = l.customer_id WHERE l.campaign_id = $1 ORDER BY l.customer_id`, [campaignId])).rows;

describe('holdout at the list pull', () => {
  it('draws in SQL exactly what domain/campaign/holdout.ts draws', async () => {
    // ids of every length from 1 to 20 characters around the 4/8/12-byte boundaries of the hash
    const campaigns = ['c', 'ab', 'c-1', 'camp', 'c-x12', 'spring', 'c-2026-q', 'autumn-up', 'c-mobile-upsell-2026', 'x'.repeat(63)];
    const customers = [1, 9, 10, 99, 100, 12345, 999_999, 1_000_000_007, 9_007_199_254_740_991];
    const pairs = campaigns.flatMap((c) => customers.map((k) => [c, k] as const));
    const { rows } = await db.query<{ draw: number }>(
      'SELECT holdout_draw(c, k) AS draw FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS t(c, k, i) ORDER BY i',
      [pairs.map((p) => p[0]), pairs.map((p) => String(p[1]))]);
    expect(rows.map((r) => r.draw)).toEqual(pairs.map(([c, k]) => holdoutDraw(c, BigInt(k))));
  });

  it('holds out the hash-chosen share, past every exclusion, with baselines, the same on a repeat', async () => {
    const share = 0.3;
    const id = await newCampaign({ share });
    const segment = { regions: ['gd', 'js', 'zj', 'sd'] };
    const pull = createCampaignActivities(db, { pullChunk: 97 }).pullList;
    const first = await pull({ campaignId: id, segment, offerCode: OFFER });
    const leads = await leadsOf(id);
    expect(first.listed + first.heldOut).toBe(leads.length);
    expect(first.heldOut).toBe(leads.filter((l) => l.state === 'held-out').length);
    // the SQL split is the hash's, customer by customer
    for (const l of leads) expect(l.state, `customer ${l.customer_id}`).toBe(isHeldOut(id, Number(l.customer_id), { share }) ? 'held-out' : 'pending');
    // within 4 standard deviations of the share
    const n = leads.length;
    expect(n).toBeGreaterThan(300);
    expect(Math.abs(first.heldOut - n * share)).toBeLessThan(4 * Math.sqrt(n * share * (1 - share)));
    // baselines as the customer was at the pull
    for (const l of leads) expect([l.spend_at_pull, l.in_network_at_pull]).toEqual([l.spend, l.in_network]);

    // the same exclusions: the leads are exactly those of the same pull without a holdout
    const plain = await newCampaign();
    const without = await pull({ campaignId: plain, segment, offerCode: OFFER });
    expect(without).toEqual({ listed: n, heldOut: 0 });
    expect((await leadsOf(plain)).map((l) => l.customer_id)).toEqual(leads.map((l) => l.customer_id));

    // a repeat (a retried activity) lists nobody again and answers the same
    expect(await pull({ campaignId: id, segment, offerCode: OFFER })).toEqual(first);
  });

  it('bounds both groups together by maxLeads', async () => {
    const id = await newCampaign({ share: 0.5 });
    const pulled = await createCampaignActivities(db, { pullChunk: 40 }).pullList({ campaignId: id, segment: { maxLeads: 150 }, offerCode: OFFER });
    expect(pulled.listed + pulled.heldOut).toBe(150);
    expect(pulled.heldOut).toBeGreaterThan(40);
    expect(pulled.listed).toBeGreaterThan(40);
    const states = (await leadsOf(id)).map((l) => l.state);
    expect(states.filter((s) => s === 'held-out').length).toBe(pulled.heldOut);
    expect(states.filter((s) => s === 'pending').length).toBe(pulled.listed);
  });
});
