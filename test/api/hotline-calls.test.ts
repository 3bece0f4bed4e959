import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ManualClock } from '../../sim/index';
import { AgentIdKey, CustomerIdKey, InteractionPhaseKey } from '../../workflows/search-attributes';
import { ownDatabase } from '../support/own-database';
import { startHarness, uniqueId, type Harness } from '../support/harness';
import { replayAndKeep } from '../support/histories';
import { makeOrg, makeService, makeStaff } from '../support/sales-points';
import { as, hotlineCustomer, outcome, putOffer, recommend } from '../support/hotline';
import {
  TALK_MS, WRAP_UP_MS, answeredCall, callReaches, configureHotlineSim, inboundWebhook, interactionHandle, interactionOfCall, interactionView,
} from '../support/hotline-calls';
import { newWebhookSecret } from '../../infra/webhook-secrets';

/**
 * Inbound calls become interactions (docs/hotline.md, "Inbound calls"): the dialer sim's hotline
 * (a ManualClock) calls the harness's API with its signed webhooks; an answered call starts the
 * interaction's workflow, which lives until the call ended. Events copied or out of order, callers
 * the dialer did not know, abandoned calls and forged webhooks, posted by the test as the dialer would.
 */
let h: Harness;
const clock = new ManualClock();
const run = uniqueId('calls').slice(-8);
const code = (name: string) => `${name}-${run}`;
const AGENT = `C${run}`;

beforeAll(async () => {
  h = await startHarness({ databaseUrl: await ownDatabase('hotline_calls'), sims: { clock } });
  await configureHotlineSim(h);
  await makeStaff(h.db, AGENT, await makeOrg(h.db, `c${run}`), { name: 'Hotline agent' });
  await makeService(h.db, code('fiber'), [{ from: '2020-01-01', points: 15, tariff: 58 }]);
});
afterAll(async () => { await h?.close(); });

describe('a call the dialer puts through', () => {
  it('is an interaction from the ring, a workflow from the answer, sells on the call, and closes when the call ends', async () => {
    const customer = await hotlineCustomer(h, { city: 'k1' });
    await putOffer(h, code('fiber'), 'k1', { price: 58, margin: 30, ships: [] });
    const callId = `in-${run}-1`;
    const open = await answeredCall(h, clock, customer, AGENT, callId);
    expect(open).toMatchObject({
      status: 'open', channel: 'call', customer_id: String(customer), agent_id: AGENT, reason: 'bill-query', team: 'hotline', opened_by: 'dialer',
    });
    expect(open.answered_at).not.toBeNull();
    const view = await interactionView(h, open.id);
    expect(view).toMatchObject({ interactionId: Number(open.id), channel: 'call', phase: 'call', callOpen: true, referrals: [] });
    const described = await interactionHandle(h, open.id).describe();
    expect(described.type).toBe('hotlineInteractionWorkflow');
    expect(described.typedSearchAttributes.get(AgentIdKey)).toBe(AGENT);
    expect(described.typedSearchAttributes.get(CustomerIdKey)).toBe(customer);
    expect(described.typedSearchAttributes.get(InteractionPhaseKey)).toBe('call');

    // The agent sees who calls (masked) and sells on the call: the order through POST /orders' path, credited.
    const seen = await h.inject({ method: 'GET', url: `/interactions/${open.id}`, headers: as(h, 'agent', AGENT) });
    expect(seen.json()).toMatchObject({ callId, status: 'open', agentId: AGENT, customer: { id: customer } });
    expect(seen.json().customer.msisdn).toMatch(/\*{4}/);
    const [rec] = (await recommend(h, Number(open.id), AGENT)).recommendations;
    const accepted = await outcome(h, Number(open.id), { recommendationId: rec!.id, outcome: 'accepted' }, AGENT);
    expect(accepted.statusCode).toBe(201);
    const { rows: [order] } = await h.db.query('SELECT channel, agent_id FROM orders WHERE id = $1', [accepted.json().orderId]);
    expect(order).toEqual({ channel: 'hotline', agent_id: AGENT });
    const { rows: entries } = await h.db.query('SELECT staff_id, sale_channel FROM sales_entries WHERE order_id = $1', [accepted.json().orderId]);
    expect(entries).toEqual([{ staff_id: AGENT, sale_channel: 'hotline' }]);

    clock.advance(TALK_MS);
    const ended = await callReaches(h, callId, 'ended');
    expect(ended).toMatchObject({ talk_sec: '60.000', wrap_up_sec: '10.000', handle_sec: '70.000', ended_by: 'caller', queue_wait_sec: '0.000' });
    const done = await interactionHandle(h, open.id).result();
    expect(done).toMatchObject({ phase: 'done', callOpen: false, referrals: [] });
    clock.advance(WRAP_UP_MS);

    // Every event once; the caller's number is in none of what we keep (nor in Temporal).
    const { rows: events } = await h.db.query('SELECT * FROM hotline_call_events WHERE call_id = $1 ORDER BY at, event', [callId]);
    expect(events.map((e) => [e.event, e.interaction_id, e.customer_id, e.agent_id])).toEqual([
      ['inbound.offered', open.id, String(customer), AGENT], ['inbound.answered', open.id, String(customer), AGENT], ['inbound.ended', open.id, String(customer), AGENT],
    ]);
    const { rows: [{ msisdn }] } = await h.db.query('SELECT msisdn FROM customers WHERE id = $1', [customer]);
    const history = await replayAndKeep(h, interactionHandle(h, open.id).workflowId, `hotline-interaction-v1-call-${run}`);
    for (const kept of [JSON.stringify(events), JSON.stringify(ended), JSON.stringify(done), JSON.stringify(history)]) expect(kept).not.toContain(msisdn.slice(-8));
  });
});

/** A call's events as the dialer sends them, at fixed times. */
function events(callId: string, customerId: number | undefined) {
  const facts = {
    callId, ani: '+8613912345678', ...(customerId ? { customerId } : {}), reason: 'plan-question', team: 'hotline', arrivedAt: '2026-03-02T10:00:00.000Z', queueWaitSec: 5,
  };
  const put = { ...facts, agentId: AGENT, offeredAt: '2026-03-02T10:00:05.000Z' };
  return {
    offered: { event: 'inbound.offered', eventId: `${callId}/inbound.offered`, ...put },
    answered: { event: 'inbound.answered', eventId: `${callId}/inbound.answered`, ...put, answeredAt: '2026-03-02T10:00:07.000Z' },
    ended: {
      event: 'inbound.ended', eventId: `${callId}/inbound.ended`, ...put, answeredAt: '2026-03-02T10:00:07.000Z', endedAt: '2026-03-02T10:05:07.000Z',
      talkSec: 300, wrapUpSec: 15, handleSec: 315, endedBy: 'agent',
    },
    abandoned: { event: 'inbound.abandoned', eventId: `${callId}/inbound.abandoned`, ...facts, abandonedAt: '2026-03-02T10:00:05.000Z', cause: 'max-wait' },
  };
}

describe("the dialer's inbound webhooks", () => {
  it('are kept once per event, in any order: the interaction only moves on, and its workflow runs once', async () => {
    const customer = await hotlineCustomer(h, { city: 'k2' });
    const callId = `x-${run}-1`;
    const e = events(callId, customer);
    expect((await inboundWebhook(h, e.ended)).json()).toEqual({ ok: true, duplicate: false });
    const row = (await interactionOfCall(h, callId))!;
    expect(row).toMatchObject({ status: 'ended', agent_id: AGENT, reason: 'plan-question', ended_by: 'agent', handle_sec: '315.000' });
    // The answer never came first: the end started the workflow, which ended with the call.
    const handle = interactionHandle(h, row.id);
    expect(await handle.result()).toMatchObject({ phase: 'done', endedAt: e.ended.endedAt });
    const { runId } = await handle.describe();

    expect((await inboundWebhook(h, e.answered)).json()).toEqual({ ok: true, duplicate: false });
    expect((await inboundWebhook(h, e.offered)).json()).toEqual({ ok: true, duplicate: false });
    expect((await inboundWebhook(h, e.ended)).json()).toEqual({ ok: true, duplicate: true });
    expect((await inboundWebhook(h, e.answered)).json()).toEqual({ ok: true, duplicate: true });
    const after = (await interactionOfCall(h, callId))!;
    expect(after).toMatchObject({ id: row.id, status: 'ended', agent_id: AGENT, queue_wait_sec: '5.000' });
    expect([after.started_at, after.offered_at, after.answered_at, after.ended_at].map((d) => (d as Date).toISOString()))
      .toEqual(['2026-03-02T10:00:00.000Z', '2026-03-02T10:00:05.000Z', '2026-03-02T10:00:07.000Z', '2026-03-02T10:05:07.000Z']);
    expect((await handle.describe()).runId).toBe(runId); // the late answer started nothing again
    const { rows: [{ n }] } = await h.db.query('SELECT count(*)::int AS n FROM hotline_call_events WHERE call_id = $1', [callId]);
    expect(n).toBe(3);
  });

  it('keep an unknown caller\'s call without an interaction, and an abandoned one without a workflow', async () => {
    const stranger = `x-${run}-2`;
    for (const body of [events(stranger, undefined).offered, events(stranger, undefined).answered]) expect((await inboundWebhook(h, body)).statusCode).toBe(200);
    expect(await interactionOfCall(h, stranger)).toBeUndefined();
    const { rows } = await h.db.query('SELECT event, customer_id, interaction_id, agent_id FROM hotline_call_events WHERE call_id = $1 ORDER BY event', [stranger]);
    expect(rows).toEqual([
      { event: 'inbound.answered', customer_id: null, interaction_id: null, agent_id: AGENT },
      { event: 'inbound.offered', customer_id: null, interaction_id: null, agent_id: AGENT },
    ]);
    // A customer the directory knows and we do not (or erased): no interaction either.
    const unknown = `x-${run}-3`;
    expect((await inboundWebhook(h, events(unknown, 999_999_999).answered)).statusCode).toBe(200);
    expect(await interactionOfCall(h, unknown)).toBeUndefined();

    const customer = await hotlineCustomer(h, { city: 'k2' });
    const left = `x-${run}-4`;
    expect((await inboundWebhook(h, events(left, customer).abandoned)).json()).toEqual({ ok: true, duplicate: false });
    const row = (await interactionOfCall(h, left))!;
    expect(row).toMatchObject({ status: 'abandoned', abandon_cause: 'max-wait', agent_id: null, answered_at: null, queue_wait_sec: '5.000' });
    expect((row.ended_at as Date).toISOString()).toBe('2026-03-02T10:00:05.000Z');
    await expect(interactionHandle(h, row.id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('refuse what the dialer did not sign (401) and a body out of contract (400, its path), recording nothing', async () => {
    const customer = await hotlineCustomer(h, { city: 'k2' });
    const callId = `x-${run}-5`;
    const forged = await inboundWebhook(h, events(callId, customer).answered, newWebhookSecret());
    expect(forged.statusCode).toBe(401);
    const unsigned = await h.app.inject({ method: 'POST', url: '/webhooks/dialer/inbound', payload: events(callId, customer).answered });
    expect(unsigned.statusCode).toBe(401);
    const bad = await inboundWebhook(h, { ...events(callId, customer).ended, handleSec: -1 });
    expect([bad.statusCode, bad.json().issues.map((i: { path: string }) => i.path)]).toEqual([400, ['body.handleSec']]);
    // A NUL in an id is refused with its field, not a 500 from Postgres.
    const nulEvent = await inboundWebhook(h, { ...events(callId, customer).answered, eventId: 'a\u0000b' });
    expect([nulEvent.statusCode, nulEvent.json().issues.map((i: { path: string }) => i.path)]).toEqual([400, ['body.eventId']]);
    const nulAgent = await inboundWebhook(h, { ...events(callId, customer).answered, agentId: 'a\u0000' });
    expect([nulAgent.statusCode, nulAgent.json().issues.map((i: { path: string }) => i.path)]).toEqual([400, ['body.agentId']]);
    const unknownEvent = await inboundWebhook(h, { ...events(callId, customer).answered, event: 'inbound.transferred' });
    expect(unknownEvent.statusCode).toBe(400);
    expect(await interactionOfCall(h, callId)).toBeUndefined();
    const { rows: [{ n }] } = await h.db.query('SELECT count(*)::int AS n FROM hotline_call_events WHERE call_id = $1', [callId]);
    expect(n).toBe(0);
  });
});
