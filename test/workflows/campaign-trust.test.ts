import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignWorkflowId } from '../../workflows/campaign/messages';
import { api, launch, testCampaign } from '../support/campaigns';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';
import { replayAndKeep } from '../support/histories';
import { ownDatabase } from '../support/own-database';

/**
 * Trust, part 2 (docs/compliance.md) end to end, on a database of this file's own (numbers go on
 * the register and on suppression lists mid-campaign, and what the dialer got is counted): the
 * register and a campaign's suppression lists at list pull and at every attempt, a stop "do not
 * call me", the versions of a campaign's settings, and the audit of the customer's flag.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    databaseUrl: await ownDatabase('trust'),
    // Nobody answers: every lead is called up to its attempt limit, so there is always a next attempt to refuse.
    sims: { dialer: { ringMs: { min: 100, max: 300 }, mix: { 'no-answer': 1, busy: 0, 'wrong-number': 0, refused: 0, 'callback-requested': 0, accepted: 0 } } },
  });
});
afterAll(async () => { await h?.close(); });

const marketing = (sub = 'alice') => ({ authorization: `Bearer ${h.token('marketing', sub)}` });
type Attempt = { id: string; lead_id: string; started_at: Date; disposition: string | null; checks: Record<string, unknown> | null };
const attemptsOf = async (leadId: string) => (await h.db.query<Attempt>(
  'SELECT id, lead_id, started_at, disposition, checks FROM call_attempts WHERE lead_id = $1 ORDER BY attempt_no', [leadId])).rows;
/** Whether the dialer sim ever got this call. */
const dialerGot = async (callId: string) => (await fetch(`${h.sims.dialerUrl}/calls/${callId}`)).status === 200;
const slow = { maxConcurrentCalls: 2, maxAttempts: 3, retryDelaySeconds: 1 };

describe('do-not-call and suppression lists, at list pull and at every attempt', () => {
  it('a number put on the register mid-campaign, or by a stop "do not call me", never reaches the dialer again, in any campaign', async () => {
    const a = uniqueId('trust-dnc');
    await launch(h, testCampaign(a, { segment: { maxLeads: 10 }, dialing: slow }));
    const called = await waitUntil('a first call', async () => (await h.db.query<{ lead_id: string; msisdn: string }>(
      `SELECT a.lead_id, l.msisdn FROM call_attempts a JOIN leads l ON l.id = a.lead_id WHERE a.campaign_id = $1 ORDER BY a.started_at LIMIT 1`, [a])).rows[0]);
    const added = await api(h, 'POST', '/dnc', { msisdn: called.msisdn, reason: 'asked by letter' }, marketing());
    expect(added.body).toMatchObject({ added: 1 });
    // Calls checked after the entry committed must be refused; added_at is its transaction's start,
    // and a check that began between that and the commit rightly did not see it yet.
    const committed = async () => (await h.db.query<{ at: Date }>('SELECT clock_timestamp() AS at')).rows[0]!.at;
    const entry = { added_at: await committed() };

    const { rows: [waiting] } = await h.db.query<{ id: string; msisdn: string }>(
      `SELECT id, msisdn FROM leads WHERE campaign_id = $1 AND state = 'pending' AND id <> $2 ORDER BY attempts, id DESC LIMIT 1`, [a, called.lead_id]);
    const stop = await api(h, 'POST', `/campaigns/${a}/leads/${waiting!.id}/stop`, { reason: 'do not call me', code: 'do-not-call' }, marketing());
    expect(stop).toMatchObject({ status: 202, body: { onDoNotCallRegister: true } });
    const { rows: [stopEntry] } = await h.db.query<{ added_at: Date; source: string; source_ref: string; added_by: string }>(
      'SELECT added_at, source, source_ref, added_by FROM dnc_numbers WHERE msisdn = $1 AND removed_at IS NULL', [waiting!.msisdn]);
    expect(stopEntry).toMatchObject({ source: 'lead-stop', source_ref: `campaign/${a}/lead/${waiting!.id}`, added_by: 'alice (marketing)' });
    const stopCommitted = await committed();
    // an old client's stop (no code) still works, and puts nothing on the register
    const other = (await h.db.query<{ id: string }>(`SELECT id FROM leads WHERE campaign_id = $1 AND id NOT IN ($2, $3) ORDER BY id LIMIT 1`, [a, called.lead_id, waiting!.id])).rows[0]!;
    expect(await api(h, 'POST', `/campaigns/${a}/leads/${other.id}/stop`, { reason: 'complained' })).toMatchObject({ status: 202, body: { onDoNotCallRegister: false } });

    await h.client.workflow.getHandle(campaignWorkflowId(a)).result();
    const later = (await attemptsOf(called.lead_id)).filter((t) => t.started_at >= entry!.added_at);
    expect(later.length).toBeGreaterThan(0); // it had attempts left: the next one was refused
    for (const t of later) {
      expect(t).toMatchObject({ disposition: 'blocked', checks: { doNotCall: 'blocked', blockedBy: 'do-not-call' } });
      expect(await dialerGot(t.id)).toBe(false);
    }
    for (const t of (await attemptsOf(waiting!.id)).filter((x) => x.started_at >= stopCommitted)) {
      expect(t.disposition).toBe('blocked');
      expect(await dialerGot(t.id)).toBe(false);
    }

    // another campaign leaves both numbers off its list
    const b = uniqueId('trust-dnc-b');
    await launch(h, testCampaign(b, { segment: { maxLeads: 10 }, dialing: slow }));
    await waitUntil('the second list', async () => (await api(h, 'GET', `/campaigns/${b}`)).body.funnel.listed === 10);
    const { rows: listed } = await h.db.query('SELECT 1 FROM leads WHERE campaign_id = $1 AND msisdn = ANY($2)', [b, [called.msisdn, waiting!.msisdn]]);
    expect(listed).toEqual([]);
    await api(h, 'POST', `/campaigns/${b}/cancel`, {});
  });

  it("a campaign's suppression list leaves a number off at list pull, and refuses one added mid-campaign at its next attempt", async () => {
    const probe = uniqueId('trust-probe');
    const list = `trust-${probe.slice(-8)}`;
    expect((await api(h, 'POST', '/suppression-lists', { id: list, name: 'partner customers' }, marketing())).status).toBe(201);
    const c = uniqueId('trust-sup');
    const withList = (await h.inject({ method: 'POST', url: `/suppression-lists/${list}/numbers`, headers: { ...marketing(), 'content-type': 'text/csv' },
      payload: 'msisdn\nplaceholder\n' })).json();
    expect(withList.issues[0].path).toBe('body.line.2');

    const unknown = await api(h, 'POST', '/campaigns', testCampaign(uniqueId('trust-x'), { suppressionLists: ['no-such-list'] }));
    expect(unknown).toMatchObject({ status: 422, body: { issues: [{ path: 'body.suppressionLists.0' }] } });

    // the list holds the number of a customer the campaign would otherwise list first
    const { rows: [target] } = await h.db.query<{ msisdn: string }>(
      `SELECT c.msisdn FROM customers c WHERE c.msisdn ~ '^1[3-9][0-9]{9}$' AND NOT c.dnc
          AND NOT EXISTS (SELECT 1 FROM dnc_numbers d WHERE d.msisdn = c.msisdn AND d.removed_at IS NULL) ORDER BY c.id LIMIT 1`);
    const loaded = await h.inject({ method: 'POST', url: `/suppression-lists/${list}/numbers`, headers: { ...marketing(), 'content-type': 'text/csv' },
      payload: `msisdn\n${target!.msisdn}\n` });
    expect(loaded.json()).toEqual({ received: 1, added: 1, alreadyOnList: 0 });
    await launch(h, testCampaign(c, { segment: { maxLeads: 10 }, dialing: slow, suppressionLists: [list] }));
    await waitUntil('a first call', async () => (await h.db.query(`SELECT 1 FROM call_attempts WHERE campaign_id = $1`, [c])).rowCount! > 0);
    expect((await h.db.query('SELECT 1 FROM leads WHERE campaign_id = $1 AND msisdn = $2', [c, target!.msisdn])).rowCount).toBe(0);
    expect((await h.db.query('SELECT 1 FROM leads WHERE campaign_id = $1', [c])).rowCount).toBe(10);

    const { rows: [pending] } = await h.db.query<{ id: string; msisdn: string }>(
      `SELECT id, msisdn FROM leads WHERE campaign_id = $1 AND state = 'pending' ORDER BY attempts, id DESC LIMIT 1`, [c]);
    expect((await api(h, 'POST', `/suppression-lists/${list}/numbers`, { msisdn: pending!.msisdn }, marketing())).body).toMatchObject({ added: 1 });
    const { rows: [on] } = await h.db.query<{ added_at: Date }>('SELECT added_at FROM suppression_numbers WHERE list_id = $1 AND msisdn = $2', [list, pending!.msisdn]);
    await h.client.workflow.getHandle(campaignWorkflowId(c)).result();

    const later = (await attemptsOf(pending!.id)).filter((t) => t.started_at >= on!.added_at);
    expect(later.length).toBeGreaterThan(0);
    for (const t of later) {
      expect(t).toMatchObject({ disposition: 'blocked', checks: { doNotCall: 'clear', suppressionList: 'blocked', result: 'blocked', blockedBy: 'suppressed' } });
      expect(await dialerGot(t.id)).toBe(false);
    }
    const { rows: placed } = await h.db.query<{ checks: Record<string, unknown> }>(
      `SELECT checks FROM call_attempts WHERE campaign_id = $1 AND disposition <> 'blocked'`, [c]);
    expect(placed.length).toBeGreaterThan(0);
    for (const p of placed) expect(p.checks.suppressionList).toBe('clear');

    const shown = await api(h, 'GET', `/suppression-lists/${list}`);
    expect(shown.body).toMatchObject({ id: list, numbers: 2, campaigns: [c] });
    expect(JSON.stringify(shown.body)).not.toContain(pending!.msisdn);
    expect((await api(h, 'GET', `/suppression-lists/${list}?msisdn=${pending!.msisdn}`)).body.holds).toBe(true);
    const removed = await h.inject({ method: 'DELETE', url: `/suppression-lists/${list}/numbers`, payload: { msisdn: pending!.msisdn }, headers: marketing() });
    expect(removed.statusCode).toBe(200);
    expect((await api(h, 'GET', `/suppression-lists/${list}?msisdn=${pending!.msisdn}`)).body.holds).toBe(false);
  });
});

describe('audit-ready history', () => {
  it("keeps every version of a campaign's settings, the launch's first, with who and when", async () => {
    const id = uniqueId('trust-tune');
    const startAt = new Date(Date.now() + 3_600_000).toISOString(); // scheduled: nothing is called meanwhile
    await launch(h, testCampaign(id, { startAt }), marketing('alice'));
    const window = { start: '09:00', end: '20:00' };
    expect((await api(h, 'PATCH', `/campaigns/${id}/settings`, { window }, marketing('bob'))).status).toBe(200);
    expect((await api(h, 'PATCH', `/campaigns/${id}/dialing`, { maxAttempts: 5 }, marketing('carol'))).status).toBe(200);
    const { status, body } = await api(h, 'GET', `/campaigns/${id}/settings/versions`, undefined, { authorization: `Bearer ${h.token('qa')}` });
    expect(status).toBe(200);
    const [v1, v2, v3] = body.versions;
    expect(body.versions.map((v: { version: number }) => v.version)).toEqual([1, 2, 3]);
    const { rows: [row] } = await h.db.query<{ definition: object }>('SELECT definition FROM campaigns WHERE id = $1', [id]);
    expect(v1).toMatchObject({ definition: row!.definition, change: null, changedBy: { sub: 'alice', role: 'marketing' } });
    expect(v2).toMatchObject({ change: { window }, changedBy: { sub: 'bob', role: 'marketing' } });
    expect(v2.definition.window).toEqual({ ...window, days: [1, 2, 3, 4, 5, 6, 7], holidays: [] });
    expect(v2.definition.dialing.maxAttempts).toBe(3);
    expect(v3).toMatchObject({ change: { dialing: { maxAttempts: 5 } }, changedBy: { sub: 'carol', role: 'marketing' } });
    expect(v3.definition.dialing.maxAttempts).toBe(5);
    expect(v3.definition.window).toEqual(v2.definition.window);
    expect(v3.definition.offer).toEqual(v1.definition.offer);
    expect(Date.parse(v3.changedAt)).toBeGreaterThanOrEqual(Date.parse(v2.changedAt));
    expect((await api(h, 'GET', '/campaigns/no-such/settings/versions')).status).toBe(404);

    await api(h, 'POST', `/campaigns/${id}/cancel`, { reason: 'test over' });
    await h.client.workflow.getHandle(campaignWorkflowId(id)).result();
    await replayAndKeep(h, campaignWorkflowId(id), `campaign-v6-settings-versions-${id.slice(-8)}`);
  });

  it("tells from the flag's history whether a customer was flagged do-not-call when a call was placed", async () => {
    const id = uniqueId('trust-flag');
    const AUDIT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../db/compliance/audit/calls-to-do-not-call.sql');
    const { rows: [customer] } = await h.db.query<{ id: string; msisdn: string; region: string }>(
      `SELECT id, msisdn, region FROM customers WHERE NOT dnc ORDER BY id DESC LIMIT 1`);
    await h.db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, 'flag', '{}', 'completed', $2)`, [id, campaignWorkflowId(id)]);
    const call = (suffix: string, at: Date) => h.db.query(
      `INSERT INTO call_attempts (id, purpose, campaign_id, attempt_no, customer_id, disposition, connected, started_at)
       VALUES ($1, 'sales', $2, 1, $3, 'no-answer', false, $4)`, [`${id}-${suffix}`, id, customer!.id, at]);
    const at = async () => (await h.db.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0]!.now;

    const before = await at();
    await new Promise((r) => setTimeout(r, 50));
    // whoever changes the flag, the triggers record it; a writer may say who it is (app.actor)
    const session = await h.db.connect();
    try {
      await session.query("SET app.actor = 'crm-sync'");
      await session.query('UPDATE customers SET dnc = true WHERE id = $1', [customer!.id]);
      await new Promise((r) => setTimeout(r, 50)); // the calls below are placed at millisecond times
      await session.query('UPDATE customers SET dnc = false WHERE id = $1', [customer!.id]);
      await session.query('RESET app.actor');
    } finally {
      session.release();
    }
    const { rows: changes } = await h.db.query<{ dnc: boolean; changed_by: string; at: Date }>(
      'SELECT dnc, changed_by, at FROM customer_dnc_changes WHERE customer_id = $1 ORDER BY id', [customer!.id]);
    expect(changes.map(({ dnc, changed_by }) => ({ dnc, changed_by }))).toEqual([{ dnc: true, changed_by: 'crm-sync' }, { dnc: false, changed_by: 'crm-sync' }]);
    const [flagged, cleared] = changes.map((c) => c.at) as [Date, Date];

    await call('before', new Date(before.getTime() - 1000));
    await call('flagged', new Date((flagged.getTime() + cleared.getTime()) / 2));
    await call('cleared', new Date(cleared.getTime() + 1000));
    // a number on the register for a while: a call in its period is found, one after its removal is not
    await api(h, 'POST', '/dnc', { msisdn: customer!.msisdn, reason: 'for a while' });
    const { rows: [entry] } = await h.db.query<{ added_at: Date }>('SELECT added_at FROM dnc_numbers WHERE msisdn = $1 AND removed_at IS NULL', [customer!.msisdn]);
    await new Promise((r) => setTimeout(r, 50));
    await h.inject({ method: 'DELETE', url: '/dnc', payload: { msisdn: customer!.msisdn, reason: 'entered by mistake' } });
    const { rows: [gone] } = await h.db.query<{ removed_at: Date }>('SELECT removed_at FROM dnc_numbers WHERE msisdn = $1', [customer!.msisdn]);
    await call('registered', new Date((entry!.added_at.getTime() + gone!.removed_at.getTime()) / 2));
    await call('removed', new Date(gone!.removed_at.getTime() + 1000));

    const found = (await h.db.query<{ call_id: string }>(readFileSync(AUDIT, 'utf8'))).rows.map((r) => r.call_id).filter((c) => c.startsWith(id));
    expect(found.sort()).toEqual([`${id}-flagged`, `${id}-registered`]);
  });
});
