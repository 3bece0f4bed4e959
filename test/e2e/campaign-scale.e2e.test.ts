import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payloadValue } from '../support/history-text';
import { CampaignDefinitionSchema } from '../../domain/campaign/campaign';
import { campaignWorkflowId, type CampaignProgress, type CampaignWorkflowInput } from '../../workflows/campaign/messages';
import { testCampaign } from '../support/campaigns';
import { startHarness, uniqueId, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  // A quick dialer and no acceptances: this test is about the campaign loop, not orders.
  h = await startHarness({
    sims: { dialer: { ringMs: { min: 1, max: 20 }, mix: { 'no-answer': 0.5, busy: 0.1, 'wrong-number': 0.1, refused: 0.3, 'callback-requested': 0, accepted: 0 } } },
  });
});
afterAll(async () => { await h?.close(); });

describe('a campaign of a few thousand leads', () => {
  it('keeps every run of its history bounded and calls each lead exactly as often as claimed', async () => {
    const id = uniqueId('scale');
    const definition = { ...CampaignDefinitionSchema.parse(testCampaign(id, { segment: { maxLeads: 2000 }, dialing: { maxConcurrentCalls: 50, maxAttempts: 2, retryDelaySeconds: 0 } })), id };
    await h.db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, $2, $3, 'pending', $4)`,
      [id, definition.name, JSON.stringify(definition), campaignWorkflowId(id)]);
    // A low hand-over threshold, so that runs hand over with up to 50 calls ringing.
    const input: CampaignWorkflowInput = { definition, historyLimit: 500 };
    const handle = await h.client.workflow.start('campaignWorkflow', { taskQueue: h.taskQueue, workflowId: campaignWorkflowId(id), args: [input] });
    const result: CampaignProgress = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.listed).toBe(2000);
    expect(result.run).toBeGreaterThanOrEqual(3);

    const lengths: number[] = [];
    const handedOver: number[] = [];
    for await (const run of h.client.workflow.list({ query: `WorkflowId = '${campaignWorkflowId(id)}'` })) {
      lengths.push(run.historyLength);
      // what each run handed to the next: calls still ringing go along, they are not drained first
      const history = await h.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      const can = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
      if (can) handedOver.push((await payloadValue<CampaignWorkflowInput>(can.input!.payloads![0]!)).carried?.calls?.length ?? 0);
    }
    expect(handedOver).toHaveLength(result.run);
    expect(Math.max(...handedOver)).toBeGreaterThan(0);
    expect(lengths.length).toBe(result.run + 1);
    expect(Math.max(...lengths)).toBeLessThan(1_000);

    const { rows: [r] } = await h.db.query<{ claimed: string; placed: string; open: string }>(
      `SELECT (SELECT sum(attempts) FROM leads WHERE campaign_id = $1) AS claimed,
              (SELECT count(*) FROM call_attempts WHERE campaign_id = $1) AS placed,
              (SELECT count(*) FROM leads WHERE campaign_id = $1 AND state <> 'done') AS open`, [id]);
    expect(Number(r!.open)).toBe(0);
    expect(Number(r!.placed)).toBe(Number(r!.claimed));
    expect(result.attempts).toBe(Number(r!.placed));
  });
});
