import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignWorkflowId } from '../../domain/campaign/ids';
import type { CampaignDefinitionInput } from '../../domain/campaign/campaign';
import { testCampaign } from '../support/campaigns';
import { startApiProcess } from '../support/api-process';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';

/**
 * A launch cut in the middle: the API process is killed (SIGKILL) between the two steps of
 * POST /campaigns and the client never hears back. The campaign must still end up launched, row
 * and workflow, without the client retrying; and a retry of the same request gets that campaign.
 */
let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => { await h?.close(); });

const post = (def: Partial<CampaignDefinitionInput>, headers: Record<string, string>) =>
  h.inject({ method: 'POST', url: '/campaigns', payload: def, headers });

/** Sends the launch to an API process that dies half-way through it; the request gets no answer. */
async function launchThroughDyingApi(def: Partial<CampaignDefinitionInput>, headers: Record<string, string>, env: Record<string, string> = {}) {
  const api = await startApiProcess(h, { API_FAULT: 'kill-mid-launch', ...env });
  const answer = await fetch(`${api.url}/campaigns`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${h.token('marketing')}`, ...headers }, body: JSON.stringify(def),
  }).then((res) => `answered ${res.status}`, () => 'no answer');
  expect(answer).toBe('no answer');
  expect(await api.exited).toEqual({ code: null, signal: 'SIGKILL' });
}

/** The campaign past `pending` in Postgres, with its workflow on the server. */
const launched = (where: string, params: unknown[]) => waitUntil('the campaign launched without a retry', async () => {
  const { rows: [c] } = await h.db.query<{ id: string; status: string }>(`SELECT id, status FROM campaigns WHERE ${where}`, params);
  if (!c || c.status === 'pending') return undefined;
  const wf = await h.client.workflow.getHandle(campaignWorkflowId(c.id)).describe();
  return { ...c, workflowStatus: wf.status.name };
}, { timeoutMs: 30_000 });

describe('a launch whose API dies between its two steps', () => {
  it('with only an Idempotency-Key: launched anyway, and the retry gets the same campaign', async () => {
    const { id: _none, ...def } = testCampaign(uniqueId('cut'), { segment: { maxLeads: 2 } });
    const key = uniqueId('cut-key');
    await launchThroughDyingApi(def, { 'idempotency-key': key });

    const campaign = await launched('idempotency_key = $1', [key]);
    expect(['pulling', 'running', 'completed']).toContain(campaign.status);
    const retry = await post(def, { 'idempotency-key': key });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ id: campaign.id, workflowId: campaignWorkflowId(campaign.id) });
    const { rows: [n] } = await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM campaigns WHERE idempotency_key = $1', [key]);
    expect(n!.n).toBe(1);
  });

  it('with a client-given id: launched anyway, and the retry gets the same campaign', async () => {
    const def = testCampaign(uniqueId('cut'), { segment: { maxLeads: 2 } });
    await launchThroughDyingApi(def, {});

    const campaign = await launched('id = $1', [def.id]);
    expect(campaign.id).toBe(def.id);
    const retry = await post(def, {});
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ id: def.id, workflowId: campaignWorkflowId(def.id!) });
  });

  it('a retry before the workflow has run: the same campaign for the same body, 409 for another', async () => {
    // The dying API starts the launch on a queue no worker polls, so it stays where the crash left it.
    const { id: _none, ...def } = testCampaign(uniqueId('cut'), { segment: { maxLeads: 2 } });
    const key = uniqueId('cut-key');
    await launchThroughDyingApi(def, { 'idempotency-key': key }, { TEMPORAL_TASK_QUEUE: `idle-${randomUUID()}` });

    const other = await post({ ...def, name: `${def.name} (edited)` }, { 'idempotency-key': key });
    expect(other.statusCode).toBe(409);
    const retry = await post(def, { 'idempotency-key': key });
    expect(retry.statusCode).toBe(200);
    const { id } = retry.json() as { id: string };
    const { rows } = await h.db.query<{ id: string }>('SELECT id FROM campaigns WHERE idempotency_key = $1', [key]);
    expect(rows.map((r) => r.id)).toEqual([id]);
    const handle = h.client.workflow.getHandle(campaignWorkflowId(id));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test over: nothing polls its queue');
  });
});
