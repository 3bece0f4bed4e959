import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignWorkflowId, progressQuery, type CampaignProgress } from '../../workflows/campaign/messages';
import { api, configureSim, launch, staffTeam, testCampaign } from '../support/campaigns';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';
import { replayAndKeep } from '../support/histories';

/**
 * A campaign rides out what is not in its hands: an outside system down for any length of time
 * stops its calls and says so, and one lead that cannot be ordered is recorded on that lead.
 */
let h: Harness;
beforeAll(async () => { h = await startHarness({ sims: { dialer: { ringMs: { min: 20, max: 80 } } } }); });
afterAll(async () => { await h?.close(); });

const handle = (id: string) => h.client.workflow.getHandle(campaignWorkflowId(id));

describe('an outage of the dialer', () => {
  it('stops placing calls, says so in its details and the API, and goes on by itself when the dialer is back', async () => {
    const id = uniqueId('wf-outage');
    await configureSim(h.sims.dialerUrl, { faults: { down: true } });
    try {
      await launch(h, testCampaign(id, { segment: { maxLeads: 12 }, dialing: { maxConcurrentCalls: 4, maxAttempts: 1, retryDelaySeconds: 0 } }));
      const seen = await waitUntil('the outage to show', async () => {
        const p = await handle(id).query(progressQuery);
        return p.outages?.find((o) => o.system === 'dialer');
      }, { timeoutMs: 90_000, intervalMs: 300 });
      expect(seen.lastError).toMatch(/503|unavailable/);
      const { body } = await api(h, 'GET', `/campaigns/${id}`);
      expect(body.outages).toEqual([expect.objectContaining({ system: 'dialer', since: seen.since })]);
      const details = (await handle(id).describe()).raw.executionConfig?.userMetadata?.details;
      expect(details).toBeDefined();
      // no lead has spent an attempt on a dialer that was not there
      const { rows: [spent] } = await h.db.query<{ n: string }>(
        `SELECT count(*) AS n FROM call_attempts WHERE campaign_id = $1 AND disposition = 'not-placed'`, [id]);
      expect(Number(spent!.n)).toBe(0);
    } finally {
      await configureSim(h.sims.dialerUrl, { faults: { down: false } });
    }
    const result: CampaignProgress = await handle(id).result();
    expect(result.status).toBe('completed');
    expect(result.outages ?? []).toEqual([]);
    // every lead got its one real call once the dialer answered again
    const { rows } = await h.db.query<{ disposition: string }>(
      `SELECT disposition FROM call_attempts WHERE campaign_id = $1 AND purpose = 'sales'`, [id]);
    expect(rows).toHaveLength(12);
    expect(rows.filter((r) => r.disposition === 'not-placed')).toEqual([]);
    expect(result.attempts).toBe(12);
    await replayAndKeep(h, campaignWorkflowId(id), `campaign-v4-rode-out-dialer-outage-${id.slice(-8)}`);
  });
});

describe('checks at the moment of dialing, through an outage', () => {
  it('checks a call again when the dialer is back: a lead stopped during the outage is not called', async () => {
    const id = uniqueId('wf-outage-stop');
    await configureSim(h.sims.dialerUrl, { faults: { down: true } });
    let stopped: number;
    try {
      await launch(h, testCampaign(id, { segment: { maxLeads: 3 }, dialing: { maxConcurrentCalls: 3, maxAttempts: 1, retryDelaySeconds: 0 } }));
      await waitUntil('the outage to show', async () => (await handle(id).query(progressQuery)).outages?.some((o) => o.system === 'dialer'),
        { timeoutMs: 60_000, intervalMs: 300 });
      // checked clear before the outage was known; the customer complains while the dialer is down
      const { rows: [first] } = await h.db.query<{ lead_id: string }>(
        `SELECT lead_id FROM call_attempts WHERE campaign_id = $1 AND checks->>'result' = 'clear' ORDER BY id LIMIT 1`, [id]);
      stopped = Number(first!.lead_id);
      expect((await api(h, 'POST', `/campaigns/${id}/leads/${stopped}/stop`, { reason: 'complained on another line' })).status).toBe(202);
      await waitUntil('the stop applied', async () =>
        (await h.db.query('SELECT 1 FROM leads WHERE id = $1 AND stop_reason IS NOT NULL', [stopped])).rowCount === 1);
      // the dialer answers again once the checks made before the outage are stale (10 s: checked again)
      await waitUntil('the checks to go stale', async () => (await h.db.query(
        `SELECT 1 FROM call_attempts WHERE lead_id = $1 AND (checks->>'checkedAt')::timestamptz < now() - interval '11 seconds'`, [stopped])).rowCount === 1,
      { timeoutMs: 30_000, intervalMs: 500 });
    } finally {
      await configureSim(h.sims.dialerUrl, { faults: { down: false } });
    }
    const result: CampaignProgress = await handle(id).result();
    expect(result.status).toBe('completed');
    const { rows } = await h.db.query<{ lead_id: string; disposition: string; id: string }>(
      `SELECT lead_id, disposition, id FROM call_attempts WHERE campaign_id = $1`, [id]);
    const call = rows.find((r) => Number(r.lead_id) === stopped)!;
    expect(call.disposition).toBe('blocked');
    expect((await fetch(`${h.sims.dialerUrl}/calls/${call.id}`)).status).toBe(404); // the dialer never had it
    expect(rows.filter((r) => Number(r.lead_id) !== stopped).map((r) => r.disposition)).not.toContain('blocked');
  });

  it('ends at its end date while the dialer is down, never dials after it, and has the dialer confirm what it never took', async () => {
    const id = uniqueId('wf-outage-end');
    await configureSim(h.sims.dialerUrl, { faults: { down: true } });
    try {
      await launch(h, testCampaign(id, {
        segment: { maxLeads: 3 }, dialing: { maxConcurrentCalls: 3, maxAttempts: 1, retryDelaySeconds: 0 },
        endAt: new Date(Date.now() + 12_000).toISOString(),
      }));
      // The dialer might have taken the calls it never answered for: the end waits for its word.
      await waitUntil('the end to wait for the dialer', async () => {
        if ((await handle(id).query(progressQuery)).endedBecause !== 'end date') return undefined;
        const { currentDetails = '' } = await handle(id).query<{ currentDetails?: string }>('__temporal_workflow_metadata');
        return /end waits for the dialer to confirm 3 calls/.test(currentDetails);
      }, { timeoutMs: 60_000, intervalMs: 300 });
      expect((await handle(id).query(progressQuery)).status).toBe('running');
    } finally {
      await configureSim(h.sims.dialerUrl, { faults: { down: false } });
    }
    const result: CampaignProgress = await handle(id).result();
    expect(result).toMatchObject({ status: 'completed', endedBecause: 'end date' });
    const { rows } = await h.db.query<{ id: string; disposition: string }>('SELECT id, disposition FROM call_attempts WHERE campaign_id = $1', [id]);
    expect(rows.map((r) => r.disposition)).toEqual(['not-placed', 'not-placed', 'not-placed']);
    for (const r of rows) expect((await fetch(`${h.sims.dialerUrl}/calls/${r.id}`)).status).toBe(404);
  });
});

describe('a lead whose order cannot start', () => {
  it('is recorded on that lead, visible in the API, and the campaign goes on', async () => {
    const team = uniqueId('lf');
    const agent = `${team}-a1`;
    await staffTeam(h, team, [agent], { dialer: false });
    const id = uniqueId('wf-leadfail');
    await launch(h, testCampaign(id, {
      team, segment: { maxLeads: 2 }, dialing: { maxConcurrentCalls: 2, maxAttempts: 1, retryDelaySeconds: 0 }, pacing: { mode: 'preview' },
    }));
    await waitUntil('running', async () => (await handle(id).query(progressQuery)).status === 'running' || undefined);
    const first = await api(h, 'POST', `/campaigns/${id}/next-lead`, { agentId: agent });
    expect(first.status).toBe(200);
    // The customer's data is gone before the order could be made (erased, say): the order cannot start.
    await h.db.query('DELETE FROM leads WHERE id = $1', [first.body.leadId]);
    expect((await api(h, 'POST', `/campaigns/${id}/leads/${first.body.leadId}/report`, { agentId: agent, disposition: 'accepted' })).status).toBe(200);
    const failure = await waitUntil('the failure on the lead', async () => {
      const { body } = await api(h, 'GET', `/campaigns/${id}/lead-failures`);
      return body?.failures?.[0];
    });
    expect(failure).toMatchObject({ leadId: first.body.leadId, stage: 'order' });
    expect(failure.reason).toMatch(/not found/);
    // the other lead is still worked, and the campaign ends as usual
    const second = await api(h, 'POST', `/campaigns/${id}/next-lead`, { agentId: agent });
    expect(second.status).toBe(200);
    expect((await api(h, 'POST', `/campaigns/${id}/leads/${second.body.leadId}/report`, { agentId: agent, disposition: 'refused' })).status).toBe(200);
    const result: CampaignProgress = await handle(id).result();
    expect(result.status).toBe('completed');
    expect(result.leadFailures).toBe(1);
    const { body } = await api(h, 'GET', `/campaigns/${id}`);
    expect(body.leadFailures).toBe(1);
    await replayAndKeep(h, campaignWorkflowId(id), `campaign-v4-lead-failed-${id.slice(-8)}`);
  });
});
