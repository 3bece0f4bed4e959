import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignWorkflowId, progressQuery, type CampaignProgress, type CampaignWorkflowInput } from '../../workflows/campaign/messages';
import { CampaignDefinitionSchema } from '../../domain/campaign/campaign';
import { api, configureSim, launch, simGet, testCampaign } from '../support/campaigns';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';
import { replayAndKeep } from '../support/histories';

/**
 * A batch the campaign still holds as "not placed yet" (the dialer went down) may be partly at the
 * dialer already: it took some calls, then stopped answering before the retry. A campaign that
 * ends meanwhile asks the dialer about each of them instead of writing them off, so an acceptance
 * that arrives later is recorded and ordered, not lost behind an early "not placed".
 */
let h: Harness;
// Every answered call is an acceptance, and its end comes long after the campaign was cancelled.
beforeAll(async () => {
  h = await startHarness({
    sims: { dialer: { ringMs: { min: 20_000, max: 25_000 }, mix: { accepted: 1, 'no-answer': 0, busy: 0, 'wrong-number': 0, refused: 0, 'callback-requested': 0 } } },
  });
});
afterAll(async () => { await h?.close(); });

const handle = (id: string) => h.client.workflow.getHandle(campaignWorkflowId(id));

/** The dialer goes down the moment it has answered its first request to place calls. */
function downAfterFirstPlacement(): () => void {
  const server = h.sims.dialer.server;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || !req.url?.startsWith('/calls')) return;
    server.off('request', onRequest);
    res.once('finish', () => { void configureSim(h.sims.dialerUrl, { faults: { down: true } }); });
  };
  server.on('request', onRequest);
  return () => server.off('request', onRequest);
}

describe('a campaign cancelled while the dialer is down', () => {
  it('asks the dialer about the calls it held as not placed: the ones it took end as the dialer reports, and their orders start', async () => {
    const id = uniqueId('wf-unplaced');
    await configureSim(h.sims.dialerUrl, { faults: { errorRate: 0.5 } }); // the first try takes about half the batch
    const stopWatching = downAfterFirstPlacement();
    let waiting: string | undefined;
    try {
      await launch(h, testCampaign(id, { segment: { maxLeads: 10 }, dialing: { maxConcurrentCalls: 10, maxAttempts: 1, retryDelaySeconds: 0 } }));
      await waitUntil('the outage to show', async () => (await handle(id).query(progressQuery)).outages?.some((o) => o.system === 'dialer'),
        { timeoutMs: 90_000, intervalMs: 300 });
      expect((await api(h, 'POST', `/campaigns/${id}/cancel`, { reason: 'stopped while the dialer was down' })).status).toBe(200);
      // What the operator reads meanwhile (or, should the end not wait, the closed run's last word).
      waiting = await waitUntil('the end to wait for the dialer', async () => {
        const { currentDetails = '' } = await handle(id).query<{ currentDetails?: string }>('__temporal_workflow_metadata');
        return /confirm/.test(currentDetails) || (await handle(id).describe()).status.name !== 'RUNNING' ? currentDetails : undefined;
      }, { timeoutMs: 60_000, intervalMs: 300 });
    } finally {
      stopWatching();
      await configureSim(h.sims.dialerUrl, { faults: { down: false, errorRate: 0 } });
    }
    const result: CampaignProgress = await handle(id).result();
    expect(result.status).toBe('cancelled');

    const { rows } = await h.db.query<{ id: string; lead_id: string; disposition: string | null }>(
      `SELECT id, lead_id, disposition FROM call_attempts WHERE campaign_id = $1 AND purpose = 'sales' ORDER BY id`, [id]);
    const atDialer = await Promise.all(rows.map(async (r) => (await fetch(`${h.sims.dialerUrl}/calls/${r.id}`)).status === 200));
    const taken = rows.filter((_, i) => atDialer[i]);
    expect(taken.length).toBeGreaterThan(0);
    // Every webhook of a call the dialer took has been answered by the API (recorded, first report wins).
    await waitUntil('the dialer to report every call it took', async () => (await simGet(`${h.sims.dialerUrl}/stats`)).webhooksSent >= taken.length,
      { timeoutMs: 60_000, intervalMs: 300 });
    const { rows: after } = await h.db.query<{ id: string; disposition: string | null }>(
      'SELECT id, disposition FROM call_attempts WHERE id = ANY($1::text[]) ORDER BY id', [rows.map((r) => r.id)]);
    expect(after.filter((_, i) => atDialer[i]).map((r) => [r.id, r.disposition])).toEqual(taken.map((r) => [r.id, 'accepted']));
    expect(after.filter((_, i) => !atDialer[i]).map((r) => r.disposition)).toEqual(rows.filter((_, i) => !atDialer[i]).map(() => 'not-placed'));
    const { rows: orders } = await h.db.query<{ lead_id: string }>('SELECT lead_id FROM orders WHERE campaign_id = $1 ORDER BY lead_id', [id]);
    expect(orders.map((o) => Number(o.lead_id))).toEqual(taken.map((r) => Number(r.lead_id)).sort((a, b) => a - b));
    expect(result.accepted).toBe(taken.length);
    expect(waiting).toMatch(/end waits for the dialer to confirm \d+ calls?/);
    await replayAndKeep(h, campaignWorkflowId(id), `campaign-v5-unplaced-confirmed-${id.slice(-8)}`);
  });

  it('does not wait for ever for a dialer that stays down: past its limit, what it never answered for is not placed, and the campaign ends', async () => {
    const id = uniqueId('wf-dialer-gone');
    const definition = { ...CampaignDefinitionSchema.parse(testCampaign(id, { segment: { maxLeads: 3 }, dialing: { maxConcurrentCalls: 3, maxAttempts: 1, retryDelaySeconds: 0 } })), id };
    await h.db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, $2, $3, 'pending', $4)`,
      [id, definition.name, JSON.stringify(definition), campaignWorkflowId(id)]);
    await configureSim(h.sims.dialerUrl, { faults: { down: true } });
    try {
      // The limit is hours in production; this campaign's end waits 5 seconds for the dialer.
      const input: CampaignWorkflowInput = { definition, drainDialerLimitSeconds: 5 };
      await h.client.workflow.start('campaignWorkflow', { taskQueue: h.taskQueue, workflowId: campaignWorkflowId(id), args: [input] });
      await waitUntil('the outage to show', async () => (await handle(id).query(progressQuery)).outages?.some((o) => o.system === 'dialer'),
        { timeoutMs: 90_000, intervalMs: 300 });
      expect((await api(h, 'POST', `/campaigns/${id}/cancel`, { reason: 'the dialer is gone' })).status).toBe(200);
      const result = await waitUntil('the campaign to end with the dialer still down', async () => {
        const d = await handle(id).describe();
        return d.status.name === 'RUNNING' ? undefined : (await handle(id).result()) as CampaignProgress;
      }, { timeoutMs: 100_000, intervalMs: 500 });
      expect(result.status).toBe('cancelled');
    } finally {
      await configureSim(h.sims.dialerUrl, { faults: { down: false } });
    }
    const { rows } = await h.db.query<{ disposition: string | null }>(
      `SELECT disposition FROM call_attempts WHERE campaign_id = $1 AND purpose = 'sales'`, [id]);
    expect(rows.map((r) => r.disposition)).toEqual(rows.map(() => 'not-placed'));
    // No lead is left being called or waiting: settled (done) or given back (released).
    const { rows: leads } = await h.db.query<{ state: string }>('SELECT DISTINCT state FROM leads WHERE campaign_id = $1', [id]);
    for (const l of leads) expect(['done', 'released']).toContain(l.state);
    expect((await h.db.query<{ status: string }>('SELECT status FROM campaigns WHERE id = $1', [id])).rows[0]!.status).toBe('cancelled');
    await replayAndKeep(h, campaignWorkflowId(id), `campaign-v5-drain-gave-up-${id.slice(-8)}`);
  }, 240_000);
});
