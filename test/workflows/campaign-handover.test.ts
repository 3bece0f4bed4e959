import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignDefinitionSchema, type CampaignDefinitionInput } from '../../domain/campaign/campaign';
import { campaignWorkflowId, progressQuery, type CampaignProgress, type CampaignWorkflowInput } from '../../workflows/campaign/messages';
import { temporalReachable } from '../../scripts/stack/temporal-server';
import { temporalCli } from '../../scripts/stack/binaries';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { api, staffTeam, testCampaign } from '../support/campaigns';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';
import { replayAndKeep } from '../support/histories';

/**
 * The hand-over (continue-as-new) of a running campaign: what people do to it meanwhile is kept,
 * agents are asked to retry instead of being cut off, and the server's own suggestion is heeded.
 */
let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

/** Starts a campaign workflow directly, with a hand-over threshold of the test's choosing. */
async function startCampaign(harness: Harness, def: CampaignDefinitionInput, historyLimit: number) {
  const definition = { ...CampaignDefinitionSchema.parse(def), id: def.id! };
  await harness.db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, $2, $3, 'pending', $4)`,
    [definition.id, definition.name, JSON.stringify(definition), campaignWorkflowId(definition.id)]);
  const input: CampaignWorkflowInput = { definition, historyLimit };
  return harness.client.workflow.start('campaignWorkflow', { taskQueue: harness.taskQueue, workflowId: campaignWorkflowId(definition.id), args: [input] });
}

describe('a hand-over while people act on the campaign', () => {
  it('keeps a cancel accepted during the hand-over, and asks agents to retry meanwhile instead of cutting them off', async () => {
    const team = uniqueId('ho');
    const [a1, a2] = [`${team}-a1`, `${team}-a2`];
    await staffTeam(h, team, [a1, a2], { dialer: false });
    const id = uniqueId('wf-ho');
    const handle = await startCampaign(h, testCampaign(id, {
      team, segment: { maxLeads: 6 }, dialing: { maxConcurrentCalls: 5, maxAttempts: 1, retryDelaySeconds: 0 }, pacing: { mode: 'preview' },
    }), 150);
    await waitUntil('running', async () => (await handle.query(progressQuery)).status === 'running' || undefined);
    const next = (agentId: string) => api(h, 'POST', `/campaigns/${id}/next-lead`, { agentId });
    const first = await next(a1);
    const second = await next(a2);
    expect([first.status, second.status]).toEqual([200, 200]);

    // a2's report is held in Postgres (a row lock on its contact-log row), so its handler is still
    // running when the run decides to hand over and waits for it.
    const lock = await h.db.connect();
    let reporting: Promise<unknown> | undefined;
    try {
      await lock.query('BEGIN');
      await lock.query('SELECT 1 FROM call_attempts WHERE id = $1 FOR UPDATE', [second.body.callId]);
      reporting = api(h, 'POST', `/campaigns/${id}/leads/${second.body.leadId}/report`, { agentId: a2, disposition: 'refused' });
      // Settings changes grow the history past the hand-over threshold; each wakes the loop.
      for (let i = 0; i < 40; i++) {
        const changed = await api(h, "PATCH", `/campaigns/${id}/settings`, { dialing: { maxConcurrentCalls: 5 + (i % 2) } });
        expect(changed, JSON.stringify(changed.body)).toMatchObject({ status: 200 });
      }
      await waitUntil('the hand-over to begin', async () => (await handle.query(progressQuery)).handingOver === true, { timeoutMs: 20_000 });
      const refused = await next(a1);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toMatch(/handing over, retry in a second/);
      const cancelled = await api(h, 'POST', `/campaigns/${id}/cancel`);
      expect(cancelled.status).toBe(200);
    } finally {
      await lock.query('COMMIT');
      lock.release();
    }
    expect((await reporting) as { status: number }).toMatchObject({ status: 200 });
    const result: CampaignProgress = await handle.result();
    expect(result.status).toBe('cancelled');
    expect(result.endedBecause).toBe('cancelled');
    // the lead a1 held is given back, nothing is left dialing
    const { rows } = await h.db.query<{ state: string }>('SELECT DISTINCT state FROM leads WHERE campaign_id = $1', [id]);
    expect(rows.map((r) => r.state)).not.toContain('dialing');
    await replayAndKeep(h, campaignWorkflowId(id), `campaign-v4-cancelled-in-handover-${id.slice(-8)}`);
  });
});

describe("the server's suggestion to continue as new", () => {
  let server: ChildProcess | undefined;
  let own: Harness | undefined;
  beforeAll(async () => {
    // A server of its own that suggests a hand-over past 120 events (the default is thousands).
    const port = await freePort();
    const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless', '--log-level', 'error',
      '--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=120'];
    for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
    server = spawn(temporalCli(), args, { stdio: 'ignore' });
    const address = `127.0.0.1:${port}`;
    await waitUntil('its own Temporal server', () => temporalReachable(address), { timeoutMs: 60_000, intervalMs: 300 });
    own = await startHarness({ temporalAddress: address });
  });
  afterAll(async () => {
    await own?.close();
    server?.kill('SIGTERM');
  });

  it('hands over when the server suggests it, whatever its own threshold', async () => {
    const id = uniqueId('wf-suggest');
    const handle = await startCampaign(own!, testCampaign(id, { segment: { maxLeads: 40 }, dialing: { maxConcurrentCalls: 2, maxAttempts: 1, retryDelaySeconds: 0 } }), 100_000);
    const result: CampaignProgress = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.run).toBeGreaterThanOrEqual(1);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
