import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyText, IN_CLEAR_BY_DESIGN } from '../support/history-text';
import { progressQuery } from '../../workflows/campaign/messages';
import { campaignWorkflowId } from '../../domain/campaign/ids';
import { api, configureSim, launch, staffTeam, testCampaign } from '../support/campaigns';
import { DELIVER, EVERY_CALL_ACCEPTED, WRONG_ADDRESS, waitOrderView } from '../support/orders';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';

/**
 * No personal data in Temporal (issue 13): a campaign, a preview call, orders with a delivery to a
 * corrected address, activations and follow-ups run end to end; then every history of the task
 * queue is fetched and read whole. Every payload but search attributes must be encrypted, and
 * neither the decrypted payloads nor anything else in a history may hold a customer's number,
 * name or address.
 */
describe('personal data in Temporal histories', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness({ sims: { ...EVERY_CALL_ACCEPTED, courier: WRONG_ADDRESS } }); });
  afterAll(async () => { await h?.close(); });

  it('no history holds a number, a name or an address, and every payload is encrypted', async () => {
    const id = uniqueId('pii');
    await launch(h, testCampaign(id, { segment: { maxLeads: 3, regions: ['gd'] } }));
    const orderIds = await waitUntil('three orders', async () => {
      const { rows } = await h.db.query<{ id: string }>('SELECT id FROM orders WHERE campaign_id = $1 ORDER BY id', [id]);
      return rows.length === 3 ? rows.map((r) => r.id) : undefined;
    });
    // Every first delivery fails on the address: a scheduler gives a new one, which is then delivered.
    const corrected = `No. 88 Privacy Lane ${uniqueId('flat')}, Guangzhou`;
    for (const orderId of orderIds) await waitOrderView(h, orderId, 'held', (v) => v.status === 'held');
    await configureSim(h.sims.courierUrl, DELIVER);
    for (const orderId of orderIds) {
      expect((await api(h, 'POST', `/orders/${orderId}/delivery/retry`, { address: corrected, region: 'gd' })).status).toBe(200);
    }
    for (const orderId of orderIds) await waitOrderView(h, orderId, 'done', (v) => v.stage === 'done');
    expect((await h.db.query('SELECT DISTINCT address FROM deliveries WHERE order_id = ANY($1) AND attempt = 2', [orderIds])).rows)
      .toEqual([{ address: corrected }]);

    // A preview lead too: the agent sees a masked number, which the API adds from Postgres.
    const team = uniqueId('pii-team');
    await staffTeam(h, team, [`${team}-a1`], { dialer: false });
    const preview = uniqueId('pii-prev');
    await launch(h, testCampaign(preview, { team, segment: { maxLeads: 1 }, pacing: { mode: 'preview' } }));
    await waitUntil('running', async () =>
      (await h.client.workflow.getHandle(campaignWorkflowId(preview)).query(progressQuery)).status === 'running' || undefined);
    const lead = await api(h, 'POST', `/campaigns/${preview}/next-lead`, {}, { authorization: `Bearer ${h.token('agent', `${team}-a1`)}` });
    expect(lead.status).toBe(200);
    expect(lead.body.msisdn).toMatch(/^\d{3}\*{4}\d{4}$/);

    // What must never be in a history: the numbers, names and addresses of every customer involved.
    const { rows: people } = await h.db.query<{ msisdn: string; name: string; address: string }>(
      `SELECT c.msisdn, c.name, c.address FROM customers c
        WHERE c.id IN (SELECT customer_id FROM leads WHERE campaign_id = ANY($1))`, [[id, preview]]);
    const secrets = [...new Set([...people.flatMap((p) => [p.msisdn, p.name, p.address]), corrected])];
    expect(people.length).toBe(4);

    const runs: { workflowId: string; runId: string }[] = [];
    for await (const wf of h.client.workflow.list({ query: `TaskQueue = "${h.taskQueue}"` })) runs.push({ workflowId: wf.workflowId, runId: wf.runId });
    expect(runs.length).toBeGreaterThanOrEqual(5); // two campaigns, three orders
    let payloadCount = 0;
    for (const run of runs) {
      const read = await historyText(h, run.workflowId, run.runId);
      // In clear by design, and read like the rest: search attributes (the server indexes them; ids
      // only) and patch markers (the SDK's own, a patch's name).
      for (const path of read.inClear) expect(path, `${run.workflowId}: ${path} is not encrypted`).toMatch(IN_CLEAR_BY_DESIGN);
      for (const secret of secrets) expect(read.text.includes(secret), `${run.workflowId} holds '${secret}'`).toBe(false);
      payloadCount += read.payloads;
    }
    expect(payloadCount).toBeGreaterThan(50);
  });
});
