import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignWorkflowId, progressQuery, type CampaignProgress } from '../../workflows/campaign/messages';
import { api, launch, staffTeam, testCampaign } from '../support/campaigns';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';
import { as, hotlineCustomer, putOffer } from '../support/hotline';
import { ownDatabase } from '../support/own-database';

/**
 * Preview dialing reads the scripts library (docs/hotline.md, "Scripts wherever an agent reads
 * one"): the offer's script for the lead's brand, else its '*' one, withdrawn versions skipped;
 * the campaign's own text when the library has none. A database of its own: its offers and scripts
 * would be the other tests' library too.
 */
let h: Harness;
const run = uniqueId('pvs').slice(-8);
const code = (name: string) => `${name}-${run}`;

beforeAll(async () => { h = await startHarness({ databaseUrl: await ownDatabase('preview_scripts', 20) }); });
afterAll(async () => { await h?.close(); });

const marketing = () => as(h, 'marketing');
async function addScript(offer: string, brand: string, body: string): Promise<void> {
  expect((await api(h, 'POST', `/offers/${offer}/scripts`, { brand, body }, marketing())).status).toBe(201);
}
async function withdraw(offer: string, brand: string, version: number): Promise<void> {
  expect((await api(h, 'PATCH', `/offers/${offer}/scripts/${encodeURIComponent(brand)}/${version}`, { active: false }, marketing())).status).toBe(200);
}

interface PreviewLead {
  leadId: number;
  customer: { plan: string };
  script: string | null;
  scriptFrom: { offerCode: string; brand: string; version: number } | null;
}

/** A preview campaign of the offer over the city's `count` customers; every lead taken by the agent, by plan, then each reported so the campaign ends. */
async function leadsByPlan(team: string, agent: string, city: string, count: number, offer: string, script: string): Promise<Map<string, PreviewLead>> {
  const id = uniqueId('wf-pvs');
  await launch(h, testCampaign(id, {
    team, script, offer: { code: offer, name: `Offer ${offer}`, price: 38 }, segment: { rule: { factor: 'city', in: [city] }, maxLeads: 3 },
    dialing: { maxConcurrentCalls: 3, maxAttempts: 1, retryDelaySeconds: 0 }, pacing: { mode: 'preview' },
  }));
  const handle = h.client.workflow.getHandle(campaignWorkflowId(id));
  await waitUntil('running', async () => (await handle.query(progressQuery)).status === 'running' || undefined);
  const headers = { authorization: `Bearer ${h.token('agent', agent)}` };
  const leads = new Map<string, PreviewLead>();
  for (let i = 0; i < count; i++) {
    const next = await api<PreviewLead>(h, 'POST', `/campaigns/${id}/next-lead`, {}, headers);
    expect(next.status).toBe(200);
    leads.set(next.body.customer.plan, next.body);
  }
  for (const lead of leads.values()) {
    expect((await api(h, 'POST', `/campaigns/${id}/leads/${lead.leadId}/report`, { disposition: 'refused' }, headers)).status).toBe(200);
  }
  expect((await handle.result() as CampaignProgress).status).toBe('completed');
  return leads;
}

describe('preview dialing with the scripts library', () => {
  it("gives the library's script for the lead's brand, else its '*' one, skipping a withdrawn version", async () => {
    const team = code('lib');
    await staffTeam(h, team, [`${team}-a`], { dialer: false });
    const city = 'pvs1';
    // A brand's own script (mzone, plus-58), only the '*' one (gotone, family-88), a plan of no brand.
    for (const plan of ['plus-58', 'family-88', 'prepaid-x']) await hotlineCustomer(h, { city, plan });
    const lib = code('lib');
    await putOffer(h, lib, city);
    await addScript(lib, '*', 'Any brand, first');
    await addScript(lib, '*', 'Any brand, second');
    await addScript(lib, 'mzone', 'M-Zone, first');
    await addScript(lib, 'mzone', 'M-Zone, second');
    await withdraw(lib, 'mzone', 2);

    const leads = await leadsByPlan(team, `${team}-a`, city, 3, lib, 'The campaign speaking');
    expect(Object.fromEntries([...leads].map(([plan, l]) => [plan, { script: l.script, scriptFrom: l.scriptFrom }]))).toEqual({
      'plus-58': { script: 'M-Zone, first', scriptFrom: { offerCode: lib, brand: 'mzone', version: 1 } },
      'family-88': { script: 'Any brand, second', scriptFrom: { offerCode: lib, brand: '*', version: 2 } },
      'prepaid-x': { script: 'Any brand, second', scriptFrom: { offerCode: lib, brand: '*', version: 2 } },
    });
  });

  it("gives the campaign's own text when the library has no active script of the offer", async () => {
    const team = code('bare');
    await staffTeam(h, team, [`${team}-a`], { dialer: false });
    const city = 'pvs2';
    await hotlineCustomer(h, { city, plan: 'plus-58' });
    const bare = code('bare');
    await putOffer(h, bare, city);
    await addScript(bare, 'mzone', 'M-Zone, withdrawn');
    await withdraw(bare, 'mzone', 1);

    const leads = await leadsByPlan(team, `${team}-a`, city, 1, bare, 'The campaign speaking');
    expect(leads.get('plus-58')).toMatchObject({ script: 'The campaign speaking', scriptFrom: null });
  });
});
