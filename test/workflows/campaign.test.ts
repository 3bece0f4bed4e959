import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { CampaignDefinitionSchema } from '../../domain/campaign/campaign';
import { campaignWorkflowId, progressQuery, updateDialingUpdate, type CampaignProgress, type CampaignWorkflowInput } from '../../workflows/campaign/messages';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { api, configureSim, launch, testCampaign } from '../support/campaigns';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';
import { replayAndKeep } from '../support/histories';

let h: Harness;
beforeAll(async () => { h = await startHarness({ sims: { dialer: { ringMs: { min: 100, max: 400 } } } }); });
afterAll(async () => { await h?.close(); });

const leadStates = async (campaignId: string) => {
  const { rows } = await h.db.query<{ state: string; n: string }>(
    'SELECT state, count(*) AS n FROM leads WHERE campaign_id = $1 GROUP BY state', [campaignId]);
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
};
const callsPlaced = async (campaignId: string) =>
  Number((await h.db.query<{ n: string }>(
    `SELECT count(*) AS n FROM call_attempts WHERE campaign_id = $1 AND purpose = 'sales'`, [campaignId])).rows[0]!.n);

describe('campaign workflow', () => {
  it('pulls the list, calls every lead within the attempt limit, and orders each acceptance once', async () => {
    const id = uniqueId('wf-basic');
    await launch(h, testCampaign(id, { segment: { maxLeads: 30 }, dialing: { maxConcurrentCalls: 6, maxAttempts: 2, retryDelaySeconds: 1 } }));
    const result: CampaignProgress = await h.client.workflow.getHandle(campaignWorkflowId(id)).result();
    expect(result.status).toBe('completed');
    expect(result.listed).toBe(30);
    expect(await leadStates(id)).toEqual({ done: 30 });

    const { rows: [counts] } = await h.db.query<{ attempts: string; max_attempts: number; accepted: string; orders: string }>(
      `SELECT (SELECT count(*) FROM call_attempts WHERE campaign_id = $1 AND purpose = 'sales') AS attempts,
              (SELECT max(attempts) FROM leads WHERE campaign_id = $1) AS max_attempts,
              (SELECT count(*) FROM leads WHERE campaign_id = $1 AND last_disposition = 'accepted') AS accepted,
              (SELECT count(*) FROM orders WHERE campaign_id = $1) AS orders`, [id]);
    expect(Number(counts!.attempts)).toBe(result.attempts);
    expect(counts!.max_attempts).toBeLessThanOrEqual(2);
    expect(Number(counts!.accepted)).toBe(result.accepted);
    expect(Number(counts!.orders)).toBe(result.ordered);
    expect(result.ordered).toBe(result.accepted);
    const { body } = await api(h, 'GET', `/campaigns/${id}`);
    expect(body.status).toBe('completed');
    expect(body.funnel.listed).toBe(30);
    // The workflow's funnel is the reporting module's, read as it ended; orders go on after that.
    const { funnel, asOf } = result.funnel!;
    expect(Date.parse(asOf)).toBeGreaterThan(0);
    for (const step of ['listed', 'dialed', 'connected', 'accepted', 'ordered'] as const) expect(funnel[step]).toBe(body.funnel[step]);
    for (const step of ['delivered', 'activated', 'followedUp'] as const) expect(funnel[step]).toBeLessThanOrEqual(body.funnel[step]);
    expect(funnel.accepted).toBe(result.accepted);
    await replayAndKeep(h, campaignWorkflowId(id), `campaign-v5-funnel-${id.slice(-8)}`);
  });

  it('pauses (no new calls), resumes where it stopped, and cancels, releasing the rest', async () => {
    const id = uniqueId('wf-ctl');
    await launch(h, testCampaign(id, { segment: { maxLeads: 60 }, dialing: { maxConcurrentCalls: 2, maxAttempts: 1, retryDelaySeconds: 1 } }));
    const handle = h.client.workflow.getHandle(campaignWorkflowId(id));
    await waitUntil('some calls', async () => (await callsPlaced(id)) >= 4);
    // While it runs, its progress shows the reporting module's funnel (read at its first turn).
    expect((await waitUntil('a funnel reading', async () => (await handle.query(progressQuery)).funnel ?? undefined)).funnel.listed).toBe(60);

    const paused = await api(h, 'POST', `/campaigns/${id}/pause`, undefined, { authorization: `Bearer ${h.token('marketing', 'alice')}` });
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    expect((await handle.query(progressQuery)).lastControl).toMatchObject({ action: 'paused', by: { sub: 'alice', role: 'marketing' } });
    await waitUntil('in-flight calls to end', async () => (await handle.query(progressQuery)).inFlight === 0);
    const atPause = await callsPlaced(id);
    await new Promise((r) => setTimeout(r, 1500)); // a window in which a running campaign would call again
    expect(await callsPlaced(id)).toBe(atPause);
    expect((await api(h, 'POST', `/campaigns/${id}/pause`)).status).toBe(409);
    await waitUntil('paused in Postgres', async () => (await api(h, 'GET', `/campaigns/${id}`)).body.status === 'paused');

    expect((await api(h, 'POST', `/campaigns/${id}/resume`)).body.status).toBe('running');
    await waitUntil('calls after resume', async () => (await callsPlaced(id)) > atPause);

    const cancelled = await api(h, 'POST', `/campaigns/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    const result: CampaignProgress = await handle.result();
    expect(result.status).toBe('cancelled');
    expect(result.cancelled).toMatchObject({ reason: 'no reason given', by: { sub: 'dev-admin', role: 'admin' } });
    const states = await leadStates(id);
    expect(states.released).toBeGreaterThan(0);
    expect(states.pending ?? 0).toBe(0);
    expect(states.dialing ?? 0).toBe(0);
    expect((await api(h, 'GET', `/campaigns/${id}`)).body.status).toBe('cancelled');
    expect((await api(h, 'POST', `/campaigns/${id}/resume`)).status).toBe(409);
  });

  it('takes new dialing settings while it runs, and refuses bad ones without changing anything', async () => {
    const id = uniqueId('wf-tune');
    await launch(h, testCampaign(id, { segment: { maxLeads: 40 }, dialing: { maxConcurrentCalls: 1, maxAttempts: 1, retryDelaySeconds: 0 } }));
    const handle = h.client.workflow.getHandle(campaignWorkflowId(id));
    // Each step within 40 s, or the test says which one stuck and what the campaign said then (it
    // once ran out the 120 s of a loaded CI run with no other clue).
    const step = <T>(what: string, p: Promise<T>): Promise<T> => {
      let timer: NodeJS.Timeout | undefined;
      const stuck = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          void Promise.all([handle.query(progressQuery), handle.query<string>('__stack_trace')])
            .then(([v, stack]) => `${JSON.stringify(v)}, waiting in:\n${stack}`, (e: Error) => e.message)
            .then((said) => reject(new Error(`stuck at ${what} for 40 s; the campaign said ${said}`)));
        }, 40_000);
      });
      return Promise.race([p, stuck]).finally(() => clearTimeout(timer));
    };
    await waitUntil('the first call', async () => (await callsPlaced(id)) >= 1);

    const bad = await handle.executeUpdate(updateDialingUpdate, { args: [{ maxConcurrentCalls: 0 }, { sub: 'test', role: 'marketing' }] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String((bad as WorkflowUpdateFailedError).cause?.message)).toMatch(/dialing.maxConcurrentCalls/);
    expect((await handle.query(progressQuery)).dialing.maxConcurrentCalls).toBe(1);
    expect((await step('pause', api(h, 'POST', `/campaigns/${id}/pause`))).status).toBe(200);
    const viaApiBad = await h.inject({ method: 'PATCH', url: `/campaigns/${id}/dialing`, payload: { maxConcurrentCalls: 10_000 } });
    expect(viaApiBad.statusCode).toBe(400);
    expect(viaApiBad.json().issues[0].path).toBe('body.maxConcurrentCalls');
    expect((await h.inject({ method: 'PATCH', url: `/campaigns/${id}/dialing`, payload: {} })).statusCode).toBe(400);

    // a paused campaign can be tuned too; the new limit shows once it resumes
    const tuned = await step('the settings change', h.inject({ method: 'PATCH', url: `/campaigns/${id}/dialing`, payload: { maxConcurrentCalls: 6 } }));
    expect(tuned.statusCode).toBe(200);
    expect(tuned.json().dialing).toEqual({ maxConcurrentCalls: 6, maxAttempts: 1, retryDelaySeconds: 0 });
    expect((await step('resume', api(h, 'POST', `/campaigns/${id}/resume`))).status).toBe(200);
    const result: CampaignProgress = await step('the end of the campaign', handle.result());
    // after the resume, calls overlapped: the contact log has two at once
    const { rows: [overlap] } = await h.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM call_attempts a JOIN call_attempts b ON a.campaign_id = b.campaign_id AND a.id < b.id
        WHERE a.campaign_id = $1 AND a.started_at < b.ended_at AND b.started_at < a.ended_at`, [id]);
    expect(overlap!.n).toBeGreaterThan(0);
    expect(result.status).toBe('completed');
    expect(result.dialing.maxConcurrentCalls).toBe(6);
    expect((await h.inject({ method: 'PATCH', url: `/campaigns/${id}/dialing`, payload: { maxAttempts: 2 } })).statusCode).toBe(409);
  });

  it('stops at its quota, releasing the rest of the list', async () => {
    const id = uniqueId('wf-quota');
    await configureSim(h.sims.dialerUrl, { mix: { accepted: 1, 'no-answer': 0, busy: 0, 'wrong-number': 0, refused: 0, 'callback-requested': 0 } });
    try {
      await launch(h, testCampaign(id, { quota: 3, segment: { maxLeads: 30 }, dialing: { maxConcurrentCalls: 1, maxAttempts: 1, retryDelaySeconds: 0 } }));
      const result: CampaignProgress = await h.client.workflow.getHandle(campaignWorkflowId(id)).result();
      expect(result).toMatchObject({ status: 'completed', endedBecause: 'quota reached', accepted: 3 });
      const states = await leadStates(id);
      expect(states.done).toBe(3);
      expect(states.released).toBe(27);
      await waitUntil('the reason in Postgres', async () => (await api(h, 'GET', `/campaigns/${id}`)).body.endedBecause === 'quota reached');
    } finally {
      await configureSim(h.sims.dialerUrl, { mix: { accepted: 0.3, 'no-answer': 0.25, busy: 0.1, 'wrong-number': 0.05, refused: 0.25, 'callback-requested': 0.05 } });
    }
  });

  it('waits for its scheduled start, and a cancel before then ends it without a call', async () => {
    const id = uniqueId('wf-sched');
    const startAt = new Date(Date.now() + 60 * 60_000).toISOString();
    await launch(h, testCampaign(id, { startAt }));
    const handle = h.client.workflow.getHandle(campaignWorkflowId(id));
    await waitUntil('scheduled', async () => (await handle.query(progressQuery)).status === 'scheduled');
    expect((await api(h, 'GET', `/campaigns/${id}`)).body.funnel.listed).toBe(0);
    expect((await api(h, 'POST', `/campaigns/${id}/cancel`)).status).toBe(200);
    const result: CampaignProgress = await handle.result();
    expect(result).toMatchObject({ status: 'cancelled', endedBecause: 'cancelled', listed: 0, attempts: 0 });
  });

  it('stops at its end date', async () => {
    const id = uniqueId('wf-end');
    const endAt = new Date(Date.now() + 2500).toISOString();
    await launch(h, testCampaign(id, { endAt, segment: { maxLeads: 200 }, dialing: { maxConcurrentCalls: 1, maxAttempts: 1, retryDelaySeconds: 0 } }));
    const result: CampaignProgress = await h.client.workflow.getHandle(campaignWorkflowId(id)).result();
    expect(result).toMatchObject({ status: 'completed', endedBecause: 'end date' });
    expect(result.attempts).toBeLessThan(200);
    expect((await leadStates(id)).pending ?? 0).toBe(0);
  });

  it('never calls a number put on do-not-call mid-run, and stops a lead within seconds when asked', async () => {
    const id = uniqueId('wf-dnc');
    // region 'mo': the customers tests may put on do-not-call (see test/global-setup.ts)
    await launch(h, testCampaign(id, { segment: { regions: ['mo'], maxLeads: 14 }, dialing: { maxConcurrentCalls: 1, maxAttempts: 1, retryDelaySeconds: 0 } }));
    await waitUntil('the first call', async () => (await callsPlaced(id)) >= 1);
    const { rows: waiting } = await h.db.query<{ id: string; msisdn: string }>(
      `SELECT id, msisdn FROM leads WHERE campaign_id = $1 AND state = 'pending' ORDER BY id DESC LIMIT 2`, [id]);
    expect(waiting).toHaveLength(2);
    const [dnc, complainer] = waiting as [{ id: string; msisdn: string }, { id: string; msisdn: string }];
    await h.db.query(`INSERT INTO dnc_numbers (msisdn, reason) VALUES ($1, 'test: asked mid-campaign') ON CONFLICT DO NOTHING`, [dnc.msisdn]);
    const stop = await h.inject({ method: 'POST', url: `/campaigns/${id}/leads/${complainer.id}/stop`, payload: { reason: 'complained about the call' } });
    expect(stop.statusCode).toBe(202);
    await waitUntil('the stop to apply', async () =>
      (await h.db.query(`SELECT 1 FROM leads WHERE id = $1 AND stop_reason IS NOT NULL`, [complainer.id])).rowCount === 1, { timeoutMs: 5_000 });

    await h.client.workflow.getHandle(campaignWorkflowId(id)).result();
    const { rows: attempts } = await h.db.query<{ lead_id: string; disposition: string; id: string }>(
      `SELECT lead_id, disposition, id FROM call_attempts WHERE lead_id = ANY($1::bigint[])`, [[dnc.id, complainer.id]]);
    for (const a of attempts) {
      expect(a.disposition).toBe('blocked');
      expect((await fetch(`${h.sims.dialerUrl}/calls/${a.id}`)).status).toBe(404); // the dialer never saw it
    }
    const { rows: leads } = await h.db.query<{ id: string; state: string; last_disposition: string }>(
      'SELECT id, state, last_disposition FROM leads WHERE id = ANY($1::bigint[]) ORDER BY id', [[dnc.id, complainer.id]]);
    expect(leads.every((l) => l.state === 'done' && ['blocked', 'stopped'].includes(l.last_disposition))).toBe(true);
    // the contact log has the check that allowed each other call
    const { rows: log } = await h.db.query<{ checks: { doNotCall: string }; msisdn_hash: string }>(
      `SELECT checks, msisdn_hash FROM call_attempts WHERE campaign_id = $1 AND disposition <> 'blocked'`, [id]);
    expect(log.length).toBeGreaterThan(0);
    for (const row of log) {
      expect(row.checks.doNotCall).toBe('clear');
      expect(row.msisdn_hash).toMatch(/^[0-9a-f]{32}$/);
    }
    expect((await h.inject({ method: 'POST', url: `/campaigns/${id}/leads/${complainer.id}/stop`, payload: { reason: 'x' } })).statusCode).toBe(409);
    expect((await h.inject({ method: 'POST', url: `/campaigns/${id}/leads/abc/stop`, payload: { reason: 'x' } })).statusCode).toBe(400);
  });

  it('continues as new to keep its history bounded, without losing or repeating a call', async () => {
    const id = uniqueId('wf-can');
    const definition = { ...CampaignDefinitionSchema.parse(testCampaign(id, { segment: { maxLeads: 60 }, dialing: { maxConcurrentCalls: 8, maxAttempts: 2, retryDelaySeconds: 0 } })), id };
    await h.db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, $2, $3, 'pending', $4)`,
      [id, definition.name, JSON.stringify(definition), campaignWorkflowId(id)]);
    const input: CampaignWorkflowInput = { definition, historyLimit: 150 };
    const handle = await h.client.workflow.start('campaignWorkflow', { taskQueue: h.taskQueue, workflowId: campaignWorkflowId(id), args: [input] });
    const result: CampaignProgress = await handle.result();
    expect(result.run).toBeGreaterThanOrEqual(2);
    expect(result.status).toBe('completed');
    expect(await leadStates(id)).toEqual({ done: 60 });
    // every claimed attempt was placed exactly once: attempts on leads = call rows
    const { rows: [r] } = await h.db.query<{ claimed: string; placed: string }>(
      `SELECT (SELECT sum(attempts) FROM leads WHERE campaign_id = $1) AS claimed,
              (SELECT count(*) FROM call_attempts WHERE campaign_id = $1 AND purpose = 'sales') AS placed`, [id]);
    expect(Number(r!.placed)).toBe(Number(r!.claimed));
    expect(result.attempts).toBe(Number(r!.placed));
    // each run stayed under its limit (plus the in-flight drain)
    const runs = await h.client.workflow.list({ query: `WorkflowId = '${campaignWorkflowId(id)}'` });
    for await (const run of runs) expect(run.historyLength).toBeLessThan(400);
  });

  it('fails fast, as a business error, on an invalid definition', async () => {
    const id = uniqueId('wf-bad');
    const bad = { ...testCampaign(id), dialing: { maxConcurrentCalls: 0 } } as unknown as CampaignWorkflowInput['definition'];
    const handle = await h.client.workflow.start('campaignWorkflow', {
      taskQueue: h.taskQueue, workflowId: campaignWorkflowId(id), args: [{ definition: bad }],
    });
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(String((err as WorkflowFailedError).cause?.message)).toMatch(/dialing.maxConcurrentCalls/);
  });
});
