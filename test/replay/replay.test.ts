import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Worker } from '@temporalio/worker';
import { temporalDataConverter } from '../../infra/privacy/data-converter';
import { campaignWorkflowId } from '../../domain/campaign/ids';
import { orderWorkflowId } from '../../domain/order/ids';
import { deliveryRetryJobWorkflowId } from '../../domain/dispatch/ids';
import { deliveryRetryJobWorkflow } from '../../workflows/dispatch/workflow';
import { configureSim, launch, testCampaign } from '../support/campaigns';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';
import { HISTORIES_DIR, replayAndKeep } from '../support/histories';

/**
 * Determinism guard. Histories recorded from earlier versions of the workflows live in
 * histories/*.json and must replay on today's code: a change that would break running workflows
 * fails here and needs `patched()`. `RECORD_HISTORIES=1 npm test -- test/replay` records fresh ones
 * (do that when a workflow changes shape on purpose, and keep the old files).
 */
const DIR = HISTORIES_DIR;
/**
 * Names the workflow version a recording captures: v1 before calls were batched and signalled
 * (the campaign's legacy loop), v2 after, v3 with the order's stock, payment and compensation
 * steps and the campaign's quiet hand-over. Bump it when a workflow changes shape on purpose.
 * (order-v4-*: one order per path, recorded by order-paths.test.ts with the review fixes patched in.)
 * (campaign-v4-*: recorded from test/workflows/ on the campaign workflow as it was before its split
 *  into workflows/campaign/, every patch through launch-records-row in, and the paths they drive:
 *  an outage ridden out, a lead failed, a cancel in a hand-over.) v4: every patch of issue 11 in.
 * (campaign-v5-*: with confirm-unplaced-calls in: a campaign cancelled while the dialer was down,
 *  asking the dialer about the batch it held as not placed; recorded by campaign-unplaced.test.ts.)
 * (order-v5-followup-window-*: with followup-window-and-cap in: a follow-up due outside its calling
 *  window waits for the opening, then is checked and placed; recorded by test/workflows/order-follow-up.test.ts.)
 * (campaign-v6-*: with settings-versions in: each change of settings kept as a version by an
 *  activity before the update answers; recorded by campaign-trust.test.ts.)
 * (order-v6-*: with order-waits-recorded in: a change of what the order waits for without a move is
 *  recorded by an activity; one order per path by order-paths.test.ts, and a hold, a scheduler's
 *  retry and a follow-up by test/workflows/order-waiting.test.ts.)
 * (hotline-interaction-v1-*: the interaction workflow's first shape: a call with an order on it, a
 *  referral completed by the app's order, one made after the call that expired; recorded by
 *  test/api/hotline-calls.test.ts and hotline-referrals.test.ts.)
 * Stack traces are emptied when a history is kept (they name the recording machine's paths).
 */
const HISTORY_LABEL = 'v4';
const replayOptions = () => ({
  workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: temporalDataConverter(inject('payloadKeys')),
});

describe('replay of recorded histories', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

  it('has recorded histories of every workflow to replay', () => {
    expect(files.some((f) => f.startsWith('campaign-'))).toBe(true);
    expect(files.some((f) => f.startsWith('order-'))).toBe(true);
    expect(files.some((f) => f.startsWith('delivery-retry-'))).toBe(true);
    expect(files.some((f) => f.startsWith('sales-points-'))).toBe(true);
    expect(files.some((f) => f.startsWith('hotline-interaction-'))).toBe(true);
  });

  for (const file of files) {
    it(`replays ${file} deterministically`, async () => {
      const history: unknown = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')); // runReplayHistory reads proto3 JSON
      await Worker.runReplayHistory(replayOptions(), history, file);
    });
  }
});

describe('replay of a fresh run', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ sims: { courier: { mix: { delivered: 0.5, 'customer-absent': 0.5, 'wrong-address': 0, refused: 0 } } } });
  });
  afterAll(async () => { await h?.close(); });

  it('replays a campaign and its orders just run (continue-as-new, holds and retries included)', async () => {
    const id = uniqueId('replay');
    await launch(h, testCampaign(id, { segment: { maxLeads: 16 }, dialing: { maxConcurrentCalls: 4, maxAttempts: 2, retryDelaySeconds: 0 } }));
    await h.client.workflow.getHandle(campaignWorkflowId(id)).result();
    const { rows } = await h.db.query<{ id: string }>('SELECT id FROM orders WHERE campaign_id = $1 ORDER BY id', [id]);
    // act as the scheduler until every order has finished
    await waitUntil('orders to finish', async () => {
      const { rows: open } = await h.db.query<{ id: string; status: string }>(
        `SELECT id, status FROM orders WHERE campaign_id = $1 AND stage <> 'done'`, [id]);
      for (const o of open.filter((x) => x.status === 'held')) {
        await h.inject({ method: 'POST', url: `/orders/${o.id}/delivery/retry`, payload: {} });
      }
      return open.length === 0;
    }, { timeoutMs: 90_000, intervalMs: 500 });
    await configureSim(h.sims.courierUrl, { mix: { delivered: 1, 'customer-absent': 0 } });

    const held: string[] = [];
    for (const r of rows) {
      const { rows: ev } = await h.db.query(`SELECT 1 FROM order_events WHERE order_id = $1 AND status = 'held'`, [r.id]);
      if (ev.length) held.push(r.id);
    }
    // Every run replays; the campaign, a held order and the first order are kept when recording.
    const keep = new Set([campaignWorkflowId(id), orderWorkflowId(held[0] ?? rows[0]!.id), orderWorkflowId(rows[0]!.id)]);
    for (const wid of [campaignWorkflowId(id), ...rows.map((r) => orderWorkflowId(r.id))]) {
      const kind = wid.startsWith('campaign-') ? 'campaign' : 'order';
      await replayAndKeep(h, wid, keep.has(wid) ? `${kind}-${HISTORY_LABEL}-${wid.replace(/^(campaign|order)-/, '')}` : undefined);
    }
  });

  it('replays a bulk delivery retry job just run, both runs of it (continue-as-new)', async () => {
    // Every order of a small campaign held for a scheduler: every call sells, every address is wrong.
    await configureSim(h.sims.dialerUrl, { mix: { 'no-answer': 0, busy: 0, 'wrong-number': 0, refused: 0, 'callback-requested': 0, accepted: 1 } });
    await configureSim(h.sims.courierUrl, { mix: { delivered: 0, 'customer-absent': 0, 'wrong-address': 1, refused: 0, 'courier-lost': 0 } });
    const campaignId = uniqueId('replay-job');
    await launch(h, testCampaign(campaignId, { segment: { maxLeads: 3 } }));
    await waitUntil('3 held orders', async () => {
      const { rows } = await h.db.query(`SELECT 1 FROM orders WHERE campaign_id = $1 AND status = 'held'`, [campaignId]);
      return rows.length === 3;
    });
    const jobId = uniqueId('replay-job');
    // One order per batch and a history limit a batch overruns: the job hands over after each batch.
    const handle = await h.client.workflow.start(deliveryRetryJobWorkflow, {
      workflowId: deliveryRetryJobWorkflowId(jobId), taskQueue: h.taskQueue,
      args: [{ jobId, filter: { campaignId }, limit: 10, requestHash: 'replay', batchSize: 1, historyLimit: 5 }],
    });
    expect(await handle.result()).toMatchObject({ status: 'completed', total: 3, accepted: 3 });
    const first = h.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
    expect((await first.describe()).status.name).toBe('CONTINUED_AS_NEW');
    await replayAndKeep(h, first.workflowId, `delivery-retry-${HISTORY_LABEL}-${jobId}`, handle.firstExecutionRunId);
    await replayAndKeep(h, first.workflowId, undefined);
  });
});
