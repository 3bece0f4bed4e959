import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectiveRatio } from '../../domain/campaign/pacing';
import { campaignWorkflowId, progressQuery, type CampaignProgress } from '../../workflows/campaign/messages';
import { api, launch, staffTeam, testCampaign } from '../support/campaigns';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  // Most calls are answered, so agents are the bottleneck and pacing shows.
  h = await startHarness({
    sims: {
      dialer: {
        ringMs: { min: 20, max: 80 }, handleMs: { min: 150, max: 300 },
        mix: { 'no-answer': 0.1, busy: 0, 'wrong-number': 0, refused: 0.7, 'callback-requested': 0, accepted: 0.2 },
      },
    },
  });
});
afterAll(async () => { await h?.close(); });

const handle = (id: string) => h.client.workflow.getHandle(campaignWorkflowId(id));
const callsPlaced = async (id: string) =>
  Number((await h.db.query<{ n: string }>(`SELECT count(*) AS n FROM call_attempts WHERE campaign_id = $1 AND purpose = 'sales'`, [id])).rows[0]!.n);

describe('pacing by the team’s agents', () => {
  it('progressive: one call per free agent, so no answered call waits for an agent', async () => {
    const team = uniqueId('prog');
    await staffTeam(h, team, [`${team}-a1`, `${team}-a2`, `${team}-a3`]);
    const id = uniqueId('wf-prog');
    await launch(h, testCampaign(id, { team, segment: { maxLeads: 30 }, dialing: { maxConcurrentCalls: 20, maxAttempts: 1, retryDelaySeconds: 0 }, pacing: { mode: 'progressive' } }));
    const mid = await waitUntil('a paced claim', async () => (await handle(id).query(progressQuery)).pacingState ?? undefined);
    expect(mid.pool?.agents).toBe(3);
    expect(mid.ratio).toBe(1);
    const result: CampaignProgress = await handle(id).result();
    expect(result.status).toBe('completed');
    expect(result.abandoned).toBe(0);
    const { rows } = await h.db.query<{ agent_id: string | null; connected: boolean }>(
      `SELECT agent_id, connected FROM call_attempts WHERE campaign_id = $1 AND purpose = 'sales'`, [id]);
    expect(rows).toHaveLength(30);
    // the contact log names the agent of every answered call, one of the team
    for (const r of rows.filter((x) => x.connected)) expect(r.agent_id).toMatch(new RegExp(`^${team}-a[123]$`));
    expect(result.connected).toBe(rows.filter((x) => x.connected).length);
  });

  it('predictive: more calls than agents, braked when abandoned calls pass the cap; abandoned leads are called again', async () => {
    const team = uniqueId('pred');
    await staffTeam(h, team, [`${team}-a1`, `${team}-a2`]);
    const id = uniqueId('wf-pred');
    await launch(h, testCampaign(id, {
      team, segment: { maxLeads: 40 }, dialing: { maxConcurrentCalls: 20, maxAttempts: 3, retryDelaySeconds: 0 },
      pacing: { mode: 'predictive', callsPerAgent: 4, maxAbandonRate: 0.05, abandonWindowCalls: 20 },
    }));
    const result: CampaignProgress = await handle(id).result();
    expect(result.status).toBe('completed');
    expect(result.abandoned).toBeGreaterThan(0);
    const { rows: [log] } = await h.db.query<{ abandoned: string; retried: string }>(
      `SELECT count(*) FILTER (WHERE disposition = 'abandoned') AS abandoned,
              count(DISTINCT lead_id) FILTER (WHERE disposition = 'abandoned' AND attempt_no < 3
                AND EXISTS (SELECT 1 FROM call_attempts b WHERE b.lead_id = a.lead_id AND b.attempt_no = a.attempt_no + 1)) AS retried
         FROM call_attempts a WHERE campaign_id = $1`, [id]);
    expect(Number(log!.abandoned)).toBe(result.abandoned);
    expect(Number(log!.retried)).toBeGreaterThan(0);
    // over the cap, the brake took the ratio below the 4 calls per agent asked for, by the rule
    const rate = result.pacingState!.abandonRate!;
    expect(rate).toBeGreaterThan(0.05);
    expect(result.pacingState?.ratio).toBeLessThan(4);
    expect(result.pacingState?.ratio).toBe(effectiveRatio({ callsPerAgent: 4, maxAbandonRate: 0.05 }, rate));
  });

  it('preview: agents take leads through the API, report them, and keep the callbacks they promised', async () => {
    const team = uniqueId('prev');
    const [a1, a2] = [`${team}-a1`, `${team}-a2`];
    await staffTeam(h, team, [a1, a2], { dialer: false });
    const other = uniqueId('other');
    await staffTeam(h, other, [`${other}-x`], { dialer: false });
    const id = uniqueId('wf-prev');
    await launch(h, testCampaign(id, {
      team, script: 'Hello, this is your operator with a fibre offer …', segment: { maxLeads: 3 },
      dialing: { maxConcurrentCalls: 5, maxAttempts: 2, retryDelaySeconds: 0, callbackGraceSeconds: 3600 }, pacing: { mode: 'preview' },
    }));
    await waitUntil('running', async () => (await handle(id).query(progressQuery)).status === 'running' || undefined);
    // Each agent acts with a token of their own: the agent is the token's subject.
    const as = (agentId: string) => ({ authorization: `Bearer ${h.token('agent', agentId)}` });
    const next = (agentId: string) => api(h, 'POST', `/campaigns/${id}/next-lead`, {}, as(agentId));
    const report = (agentId: string, leadId: number, body: object) => api(h, 'POST', `/campaigns/${id}/leads/${leadId}/report`, body, as(agentId));

    const outsider = await next(`${other}-x`);
    expect(outsider.status).toBe(403);
    expect(outsider.body.message).toMatch(/is worked by team .*-x is in team/);
    expect((await next('nobody-here')).status).toBe(403); // not on the roster
    const impostor = await api(h, 'POST', `/campaigns/${id}/next-lead`, { agentId: a2 }, as(a1));
    expect(impostor.status).toBe(403);
    expect(impostor.body.message).toMatch(/only as themself/);
    // An admin acts for an agent named in the body; the campaign checks the team itself too.
    expect((await api(h, 'POST', `/campaigns/${id}/next-lead`, { agentId: `${other}-x` })).body.message).toMatch(/is in team/);
    const first = await next(a1);
    expect(first.status).toBe(200);
    expect(first.body.msisdn).toMatch(/^\d{3}\*{4}\d{4}$/);
    expect(first.body.script).toMatch(/fibre offer/);
    expect(first.body.offer.code).toBe('fiber-300');
    const lead1 = first.body.leadId as number;
    expect((await report(a2, lead1, { disposition: 'refused' })).body.message).toMatch(/not held by/);
    expect((await report(a1, lead1, { disposition: 'refused', callbackAt: new Date().toISOString() })).status).toBe(400);
    const callbackAt = new Date(Date.now() + 1500).toISOString();
    expect((await report(a1, lead1, { disposition: 'callback-requested', callbackAt })).status).toBe(200);

    const second = await next(a1);
    expect(second.body.leadId).not.toBe(lead1);
    expect((await report(a1, second.body.leadId, { disposition: 'refused', durationSec: 40 })).status).toBe(200);
    const third = await next(a2);
    expect((await report(a2, third.body.leadId, { disposition: 'accepted', durationSec: 300 })).status).toBe(200);

    await new Promise((r) => setTimeout(r, 1800)); // the callback is due, and a1's for an hour
    expect((await next(a2)).status).toBe(204);
    const back = await next(a1);
    expect(back.body).toMatchObject({ leadId: lead1, attemptNo: 2, ownCallback: true });
    expect((await report(a1, lead1, { disposition: 'refused' })).status).toBe(200);

    const result: CampaignProgress = await handle(id).result();
    expect(result).toMatchObject({ status: 'completed', endedBecause: 'list finished', attempts: 4, accepted: 1, ordered: 1 });
    const { rows } = await h.db.query<{ agent_id: string; disposition: string }>(
      `SELECT agent_id, disposition FROM call_attempts WHERE campaign_id = $1 AND purpose = 'sales' ORDER BY started_at`, [id]);
    expect(rows.map((r) => r.agent_id)).toEqual([a1, a1, a2, a1]);
    expect(rows.map((r) => r.disposition)).toEqual(['callback-requested', 'refused', 'accepted', 'refused']);
  });

  it('answers preview requests only in preview mode', async () => {
    const id = uniqueId('wf-noprev');
    await launch(h, testCampaign(id, { segment: { maxLeads: 3 } }));
    const res = await api(h, 'POST', `/campaigns/${id}/next-lead`, { agentId: 'someone' });
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/paced progressive/);
    await handle(id).result();
  });
});

describe('settings while the campaign runs', () => {
  it('closes and reopens the calling window, and refuses bad or impossible settings without changing anything', async () => {
    const id = uniqueId('wf-window');
    await launch(h, testCampaign(id, { segment: { maxLeads: 40 }, dialing: { maxConcurrentCalls: 1, maxAttempts: 1, retryDelaySeconds: 0 } }));
    await waitUntil('some calls', async () => (await callsPlaced(id)) >= 2);

    const noTeam = await api(h, 'PATCH', `/campaigns/${id}/settings`, { pacing: { mode: 'predictive' } });
    expect(noTeam.status).toBe(409);
    expect(noTeam.body.message).toMatch(/needs the campaign's team/);
    const backwards = await api(h, 'PATCH', `/campaigns/${id}/settings`, { window: { start: '18:00', end: '09:00' } });
    expect(backwards.status).toBe(422); // a rule across fields: well-formed, but ends before it starts
    expect(backwards.body.issues[0].path).toBe('body.window.end');
    expect((await api(h, 'PATCH', `/campaigns/${id}/settings`, {})).status).toBe(400);

    // a window open on no day that is today, anywhere: no new call starts
    const today = new Date().getUTCDay() || 7;
    const closedDays = [1, 2, 3, 4, 5, 6, 7].filter((d) => Math.abs(d - today) > 1 && Math.abs(d - today) < 6);
    const closed = await api(h, 'PATCH', `/campaigns/${id}/settings`, { window: { start: '00:00', end: '24:00', days: closedDays }, dialing: { maxConcurrentCalls: 3 } });
    expect(closed.status).toBe(200);
    expect(closed.body.window.days).toEqual(closedDays);
    expect(closed.body.dialing.maxConcurrentCalls).toBe(3);
    await waitUntil('ringing calls to end', async () => (await handle(id).query(progressQuery)).inFlight === 0);
    const atClose = await callsPlaced(id);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await callsPlaced(id)).toBe(atClose);

    expect((await api(h, 'PATCH', `/campaigns/${id}/settings`, { window: { start: '00:00', end: '24:00' } })).status).toBe(200);
    const result: CampaignProgress = await handle(id).result();
    expect(result.status).toBe('completed');
    expect(await callsPlaced(id)).toBe(40); // one attempt per lead
    // a call claimed just before the window closed is checked again when dialed: not placed, never rung
    const { rows } = await h.db.query<{ disposition: string; blocked_by: string | null }>(
      `SELECT disposition, checks->>'blockedBy' AS blocked_by FROM call_attempts WHERE campaign_id = $1 AND disposition = 'not-placed'`, [id]);
    for (const r of rows) expect(r.blocked_by).toBe('outside window');
    expect(result.attempts).toBe(40 - rows.length);
  });
});
