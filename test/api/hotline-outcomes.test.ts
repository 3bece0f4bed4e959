import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderWorkflowId } from '../../domain/order/ids';
import { ownDatabase } from '../support/own-database';
import { startHarness, uniqueId, type Harness } from '../support/harness';
import { makeOrg, makeService, makeStaff } from '../support/sales-points';
import { as, hotlineCustomer, openCall, outcome, putOffer, recommend } from '../support/hotline';

/**
 * Outcomes fed back (docs/hotline.md): an order on the call through POST /orders' path, the agent
 * credited; referrals, refusals, the one decision per recommendation; who may report. A database
 * of its own, as the recommendations' test has.
 */
let h: Harness;
const run = uniqueId('out').slice(-8);
const code = (name: string) => `${name}-${run}`;
const AGENT = `A${run}`;

beforeAll(async () => {
  h = await startHarness({ databaseUrl: await ownDatabase('hotline_out') });
  await makeStaff(h.db, AGENT, await makeOrg(h.db, `o${run}`), { name: 'Hotline agent' });
  await makeService(h.db, code('fiber'), [{ from: '2020-01-01', points: 15, tariff: 58 }]);
});
afterAll(async () => { await h?.close(); });

/** One call, one offer of its own city recommended: the interaction and the recommendation's id. */
async function oneRecommendation(city: string, offerCode: string, offer: Record<string, unknown> = {}) {
  await putOffer(h, offerCode, city, offer);
  const customer = await hotlineCustomer(h, { city });
  const interaction = await openCall(h, customer, AGENT);
  const [rec] = (await recommend(h, interaction, AGENT)).recommendations;
  expect(rec!.offer.code).toBe(offerCode);
  return { customer, interaction, rec: rec!.id };
}

describe('accepted on the call', () => {
  it('starts the order as POST /orders does, channel hotline, credited to the agent; a repeat starts nothing new', async () => {
    const { customer, interaction, rec } = await oneRecommendation('o1', code('fiber'), { price: 58, margin: 30, ships: [] });
    expect((await outcome(h, interaction, { recommendationId: rec, outcome: 'presented' }, AGENT)).statusCode).toBe(201);
    const accepted = await outcome(h, interaction, { recommendationId: rec, outcome: 'accepted' }, AGENT);
    expect(accepted.statusCode).toBe(201);
    const orderId = accepted.json().orderId as string;
    expect(accepted.json()).toMatchObject({ recommendationId: rec, outcome: 'accepted', agentId: AGENT, recordedBy: `${AGENT} (agent)` });
    const { rows: [order] } = await h.db.query('SELECT channel, agent_id, customer_id, offer_code, monthly_price FROM orders WHERE id = $1', [orderId]);
    expect(order).toEqual({ channel: 'hotline', agent_id: AGENT, customer_id: String(customer), offer_code: code('fiber'), monthly_price: '58.00' });
    const described = await h.client.workflow.getHandle(orderWorkflowId(orderId)).describe();
    expect(described.type).toBe('orderWorkflow');
    const { rows: entries } = await h.db.query('SELECT staff_id, sale_channel, source FROM sales_entries WHERE order_id = $1', [orderId]);
    expect(entries).toEqual([{ staff_id: AGENT, sale_channel: 'hotline', source: 'order' }]);

    const again = await outcome(h, interaction, { recommendationId: rec, outcome: 'accepted' }, AGENT);
    expect(again.statusCode).toBe(200);
    expect(again.json().orderId).toBe(orderId);
    // Its id is the recommendation's, under a key no POST /orders caller may send (so none takes it first).
    expect(orderId).toBe(`api-hotline:r${rec}`);
    const taken = await h.inject({
      method: 'POST', url: '/orders', headers: { 'idempotency-key': `hotline:r${rec}`, ...as(h, 'agent', AGENT) },
      payload: { customerId: customer, offer: { code: code('fiber'), name: 'x', price: 1, ships: [] } },
    });
    expect([taken.statusCode, taken.json().issues?.[0]?.path]).toEqual([400, 'headers.idempotency-key']);
    expect(Number((await h.db.query('SELECT count(*) FROM orders WHERE customer_id = $1', [customer])).rows[0].count)).toBe(1);
    const stats = await h.db.query('SELECT segment_key, presented, accepted FROM hotline_propensity WHERE offer_code = $1 ORDER BY segment_key', [code('fiber')]);
    expect(stats.rows).toEqual([{ segment_key: '*', presented: 1, accepted: 1 }, { segment_key: 'mzone/bill-query', presented: 1, accepted: 1 }]);
    // The recommendation shows what became of it.
    expect((await recommend(h, interaction, AGENT)).recommendations[0]!.outcomes.map((o) => o.outcome)).toEqual(['presented', 'accepted']);
  });

  it('refuses an acceptance on the call of an offer only a self-service channel completes: the customer is referred', async () => {
    const { interaction, rec } = await oneRecommendation('o2', code('apponly'), { channels: ['app', 'sms'] });
    const onCall = await outcome(h, interaction, { recommendationId: rec, outcome: 'accepted' }, AGENT);
    expect(onCall.statusCode).toBe(422);
    expect(onCall.json().issues[0].path).toBe('body.outcome');
    expect((await outcome(h, interaction, { recommendationId: rec, outcome: 'referred', referredChannel: 'web' }, AGENT)).statusCode).toBe(422);
    const referred = await outcome(h, interaction, { recommendationId: rec, outcome: 'referred', referredChannel: 'app' }, AGENT);
    expect(referred.statusCode).toBe(201);
    expect(referred.json()).toMatchObject({ outcome: 'referred', referredChannel: 'app', orderId: null });
    expect((await outcome(h, interaction, { recommendationId: rec, outcome: 'referred', referredChannel: 'app' }, AGENT)).statusCode).toBe(200);
    const refused = await outcome(h, interaction, { recommendationId: rec, outcome: 'refused' }, AGENT);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toMatch(/decided already: referred/);
    const stats = await h.db.query(`SELECT presented, accepted FROM hotline_propensity WHERE offer_code = $1 AND segment_key = '*'`, [code('apponly')]);
    expect(stats.rows).toEqual([{ presented: 1, accepted: 0 }]);
  });
  it('answers a repeat of an acceptance recorded under the old key with its own order, starting no second one', async () => {
    const { customer, interaction, rec } = await oneRecommendation('o4', code('legacy'), { ships: [] });
    const first = await outcome(h, interaction, { recommendationId: rec, outcome: 'accepted' }, AGENT);
    expect(first.statusCode).toBe(201);
    // As an acceptance from before the ':' was recorded: its order and outcome under `api-hotline-r<id>`.
    const legacy = `api-hotline-r${rec}`;
    await h.db.query(`INSERT INTO orders SELECT (jsonb_populate_record(NULL::orders, to_jsonb(o) || jsonb_build_object('id', $2::text, 'idempotency_key', $3::text))).*
                        FROM orders o WHERE id = $1`, [first.json().orderId, legacy, `hotline-r${rec}`]);
    await h.db.query(`UPDATE hotline_outcomes SET order_id = $2 WHERE recommendation_id = $1 AND outcome = 'accepted'`, [rec, legacy]);
    const again = await outcome(h, interaction, { recommendationId: rec, outcome: 'accepted' }, AGENT);
    expect([again.statusCode, again.json().orderId]).toEqual([200, legacy]);
    const { rows } = await h.db.query('SELECT id FROM orders WHERE customer_id = $1 ORDER BY id', [customer]);
    expect(rows.map((r) => r.id).sort()).toEqual([first.json().orderId, legacy].sort()); // none written for the new key
  });

  it('leaves no order behind when another decision is recorded while the acceptance waits for the recommendation', async () => {
    const { customer, interaction, rec } = await oneRecommendation('o3', code('race'), { ships: [] });
    // Someone else holds the recommendation and records a refusal; the acceptance arrives meanwhile.
    const other = await h.db.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT 1 FROM hotline_recommendations WHERE id = $1 FOR UPDATE', [rec]);
      const accepting = outcome(h, interaction, { recommendationId: rec, outcome: 'accepted' }, AGENT);
      await new Promise((r) => setTimeout(r, 300));
      await other.query(`INSERT INTO hotline_outcomes (recommendation_id, outcome, agent_id, recorded_by) VALUES ($1, 'refused', $2, 'test')`, [rec, AGENT]);
      await other.query('COMMIT');
      const accepted = await accepting;
      expect(accepted.statusCode, accepted.body).toBe(409);
    } finally {
      other.release();
    }
    expect(Number((await h.db.query('SELECT count(*) FROM orders WHERE customer_id = $1', [customer])).rows[0].count)).toBe(0);
  });
});

describe('who may report', () => {
  it("refuses another agent (403), a recommendation of another interaction (404), and lets an admin report for the agent", async () => {
    const { interaction, rec } = await oneRecommendation('w1', code('who'));
    expect((await outcome(h, interaction, { recommendationId: rec, outcome: 'presented' }, 'someone-else')).statusCode).toBe(403);
    const other = await openCall(h, await hotlineCustomer(h, { city: 'w1' }), AGENT);
    expect((await outcome(h, other, { recommendationId: rec, outcome: 'presented' }, AGENT)).statusCode).toBe(404);
    expect((await outcome(h, 999_999_999, { recommendationId: rec, outcome: 'presented' }, AGENT)).statusCode).toBe(404);
    const byAdmin = await outcome(h, interaction, { recommendationId: rec, outcome: 'not-now' }, 'root', 'admin');
    expect(byAdmin.statusCode).toBe(201);
    expect(byAdmin.json()).toMatchObject({ agentId: AGENT, recordedBy: 'root (admin)' });
  });

  it('lets one agent take over a call no agent has, atomically; no agent acts on a self-service visit', async () => {
    const { interaction, rec } = await oneRecommendation('w3', code('takeover'));
    await h.db.query('UPDATE hotline_interactions SET agent_id = NULL WHERE id = $1', [interaction]);
    const [first, second] = [`B${run}`, `C${run}`];
    const answers = await Promise.all([first, second].map((a) => outcome(h, interaction, { recommendationId: rec, outcome: 'presented' }, a)));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 403]);
    const winner = answers[0]!.statusCode === 201 ? first : second;
    const { rows: [row] } = await h.db.query('SELECT agent_id FROM hotline_interactions WHERE id = $1', [interaction]);
    expect(row.agent_id).toBe(winner);
    expect((await h.inject({ method: 'GET', url: `/interactions/${interaction}/recommendations`, headers: as(h, 'agent', winner === first ? second : first) })).statusCode).toBe(403);

    const customer = await hotlineCustomer(h, { city: 'w3' });
    const visit = (await h.inject({ method: 'POST', url: '/interactions', headers: as(h, 'self-service', 'app'), payload: { customerId: customer, channel: 'app' } })).json().id;
    const [shown] = (await recommend(h, visit, 'app', 'self-service')).recommendations;
    expect((await h.inject({ method: 'GET', url: `/interactions/${visit}/recommendations`, headers: as(h, 'agent', AGENT) })).statusCode).toBe(403);
    expect((await outcome(h, visit, { recommendationId: shown!.id, outcome: 'presented' }, AGENT)).statusCode).toBe(403);
    const byAgent = await h.inject({ method: 'POST', url: '/interactions', headers: as(h, 'agent', AGENT), payload: { customerId: customer, channel: 'web' } });
    expect([byAgent.statusCode, byAgent.json().issues?.[0]?.path]).toEqual([422, 'body.channel']);
  });

  it('takes a self-service channel on an order from that channel only (its own), an admin, and no other role', async () => {
    const customer = await hotlineCustomer(h, { city: 'w4' });
    const order = (role: 'agent' | 'self-service', sub: string, channel: string) => h.inject({
      method: 'POST', url: '/orders', headers: { 'idempotency-key': `ch-${run}-${role}-${sub}-${channel}`, ...as(h, role, sub) },
      payload: { customerId: customer, offer: { code: code('chan'), name: 'Channel offer', price: 10, ships: [] }, channel },
    });
    for (const [role, sub, channel] of [['self-service', 'app', 'web'], ['agent', AGENT, 'app']] as const) {
      const res = await order(role, sub, channel);
      expect([res.statusCode, res.json().issues?.[0]?.path], `${role} ${sub} ${channel}`).toEqual([422, 'body.channel']);
    }
    expect((await order('self-service', 'app', 'app')).statusCode).toBe(201);
  });

  it('lets a self-service channel report on its own interactions, and accept what it completes', async () => {
    const city = 'w2';
    await putOffer(h, code('selfie'), city, { channels: ['app'], ships: [] });
    const customer = await hotlineCustomer(h, { city });
    const app = as(h, 'self-service', 'app');
    const opened = await h.inject({ method: 'POST', url: '/interactions', headers: app, payload: { customerId: customer, channel: 'app' } });
    const interaction = opened.json().id as number;
    const [rec] = (await recommend(h, interaction, 'app', 'self-service')).recommendations;
    const accepted = await outcome(h, interaction, { recommendationId: rec!.id, outcome: 'accepted' }, 'app', 'self-service');
    expect(accepted.statusCode).toBe(201);
    const { rows: [order] } = await h.db.query('SELECT channel, agent_id FROM orders WHERE id = $1', [accepted.json().orderId]);
    expect(order).toEqual({ channel: 'app', agent_id: null });
    const call = await openCall(h, customer, AGENT);
    expect((await h.inject({ method: 'GET', url: `/interactions/${call}`, headers: app })).statusCode).toBe(403);
    const seen = await h.inject({ method: 'GET', url: `/interactions/${interaction}`, headers: app });
    expect(seen.json()).toMatchObject({ id: interaction, channel: 'app', agentId: null, status: 'open', customer: { id: customer, brand: 'mzone' } });
    expect(seen.json().customer.msisdn).toMatch(/^137\*{4}\d{4}$/);
  });
});

describe('opening an interaction', () => {
  it('is once per call id, whoever opens it, and once per Idempotency-Key', async () => {
    const customer = await hotlineCustomer(h, { city: 'i1' });
    const callId = `call-${run}`;
    const first = await h.inject({ method: 'POST', url: '/interactions', headers: as(h, 'agent', AGENT), payload: { customerId: customer, channel: 'call', reason: 'fault', callId } });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ callId, agentId: AGENT, reason: 'fault', status: 'open' });
    const again = await h.inject({ method: 'POST', url: '/interactions', payload: { customerId: customer, channel: 'call', callId } });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    const another = await hotlineCustomer(h, { city: 'i1' });
    expect((await h.inject({ method: 'POST', url: '/interactions', payload: { customerId: another, channel: 'call', callId } })).statusCode).toBe(409);
    const keyed = { ...as(h, 'self-service', 'web'), 'idempotency-key': `k-${run}` };
    const k1 = await h.inject({ method: 'POST', url: '/interactions', headers: keyed, payload: { customerId: customer, channel: 'web' } });
    const k2 = await h.inject({ method: 'POST', url: '/interactions', headers: keyed, payload: { customerId: customer, channel: 'web' } });
    expect([k1.statusCode, k2.statusCode]).toEqual([201, 200]);
    expect(k2.json().id).toBe(k1.json().id);
    expect((await h.inject({ method: 'POST', url: '/interactions', headers: keyed, payload: { customerId: customer, channel: 'sms' } })).statusCode).toBe(409);
  });
});
