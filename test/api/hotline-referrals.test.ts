import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../sim/index';
import { SelfServiceConfigSchema, type Referral } from '../../sim/dialer-contract';
import { idempotencyKeyOf, orderRequest } from '../../sim/hotline/self-service';
import { ownDatabase } from '../support/own-database';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';
import { replayAndKeep } from '../support/histories';
import { makeOrg, makeService, makeStaff } from '../support/sales-points';
import { as, hotlineCustomer, outcome, putOffer, recommend } from '../support/hotline';
import { TALK_MS, answeredCall, configureHotlineSim, interactionHandle, interactionView, simCall } from '../support/hotline-calls';

/**
 * Referrals followed through (docs/hotline.md, "Referrals"): an agent sends the caller to the app;
 * the dialer sim's app orders for them days later by its clock (POST /orders, channel app), which
 * credits the agent once; a referral nobody completes expires when its window closes, and is
 * recorded so. The interaction's workflow lives until then.
 */
let h: Harness;
const clock = new ManualClock();
const run = uniqueId('ref').slice(-8);
const code = (name: string) => `${name}-${run}`;
const AGENT = `R${run}`;
const DAY_MS = 86_400_000;

beforeAll(async () => {
  h = await startHarness({ databaseUrl: await ownDatabase('hotline_referrals'), sims: { clock }, selfServiceChannels: true });
  await configureHotlineSim(h);
  await makeStaff(h.db, AGENT, await makeOrg(h.db, `r${run}`), { name: 'Hotline agent' });
  await makeService(h.db, code('app'), [{ from: '2020-01-01', points: 10, tariff: 30 }]);
});
afterAll(async () => { await h?.close(); });

const settings = (payload: object) => h.inject({ method: 'PUT', url: '/hotline/settings', headers: as(h, 'marketing'), payload });
const counts = async (offerCode: string) =>
  (await h.db.query(`SELECT presented, accepted FROM hotline_propensity WHERE offer_code = $1 AND segment_key = '*'`, [offerCode])).rows[0];

/**
 * A call answered by the agent, its one recommendation referred to the app, the call ended: the
 * interaction, the recommendation. `afterTheCall`: referred once the call is over (in the wrap-up),
 * when the call's workflow has closed: a new run follows the referral.
 */
async function referredCall(city: string, offerCode: string, callId: string, afterTheCall = false) {
  await putOffer(h, offerCode, city, { price: 30, margin: 12, channels: ['app', 'sms'], ships: [] });
  const customer = await hotlineCustomer(h, { city });
  const interaction = await answeredCall(h, clock, customer, AGENT, callId);
  const [rec] = (await recommend(h, Number(interaction.id), AGENT)).recommendations;
  expect(rec!.offer.code).toBe(offerCode);
  const refer = () => outcome(h, Number(interaction.id), { recommendationId: rec!.id, outcome: 'referred', referredChannel: 'app' }, AGENT);
  let callRun: string | undefined;
  if (afterTheCall) {
    clock.advance(TALK_MS);
    expect(await interactionHandle(h, interaction.id).result()).toMatchObject({ phase: 'done', referrals: [] });
    callRun = (await interactionHandle(h, interaction.id).describe()).runId;
  }
  expect((await refer()).statusCode).toBe(201);
  const referred = await interactionView(h, interaction.id, (v) => v.referrals.length === 1);
  expect(referred).toMatchObject({
    phase: afterTheCall ? 'following-up' : 'call', referrals: [{ recommendationId: rec!.id, offerCode, channel: 'app', status: 'open' }],
  });
  if (callRun) expect((await interactionHandle(h, interaction.id).describe()).runId).not.toBe(callRun);
  if (!afterTheCall) clock.advance(TALK_MS);
  await interactionView(h, interaction.id, (v) => !v.callOpen);
  // Reported again (a retry): the same referral, followed once.
  expect((await refer()).statusCode).toBe(200);
  return { customer, interaction: interaction.id, recommendationId: rec!.id };
}

describe('a referral to the app', () => {
  it('is credited to the agent when the customer orders there days later, once however often the order comes', async () => {
    const offerCode = code('app');
    const { customer, interaction, recommendationId } = await referredCall('f1', offerCode, `in-${run}-1`);
    const { rows: [open] } = await h.db.query('SELECT status, agent_id, channel, expires_at - referred_at AS window FROM hotline_referrals WHERE recommendation_id = $1', [recommendationId]);
    expect(open).toMatchObject({ status: 'open', agent_id: AGENT, channel: 'app' });
    expect(open.window.days).toBe(7);
    expect(await interactionView(h, interaction)).toMatchObject({ phase: 'following-up' });

    // The customer opens the app three days later (the sim's clock) and orders the offer there.
    const referral: Referral = { referralId: `r${recommendationId}`, customerId: customer, offerCode, channel: 'app', completeWithinSeconds: 3 * 86_400, probability: 1 };
    const sent = await simCall(h, 'POST', '/self-service/referrals', { referrals: [referral] });
    expect(sent.body.results[0]).toMatchObject({ status: 'scheduled' });
    clock.advance(3 * DAY_MS);
    const key = idempotencyKeyOf(referral);
    const ordered = await waitUntil('the app to order', async () => {
      const r = (await simCall(h, 'GET', `/self-service/referrals/${key}`)).body;
      return r.status === 'ordered' ? r : undefined;
    }, { timeoutMs: 30_000 });
    expect(ordered.answer).toMatchObject({ code: 201, body: { created: true, referral: { recommendationId, interactionId: Number(interaction), agentId: AGENT } } });
    const orderId = ordered.answer.body.id as string;
    const { rows: [order] } = await h.db.query('SELECT channel, agent_id, customer_id FROM orders WHERE id = $1', [orderId]);
    expect(order).toEqual({ channel: 'app', agent_id: AGENT, customer_id: String(customer) });
    const done = await interactionHandle(h, interaction).result();
    expect(done).toMatchObject({ phase: 'done', referrals: [{ recommendationId, status: 'completed', orderId }] });

    // The same order again (the app retrying): 200, nothing credited twice.
    const { headers, body } = orderRequest(referral, SelfServiceConfigSchema.parse({ enabled: true, apiUrl: h.apiUrl }));
    const again = await h.app.inject({ method: 'POST', url: '/orders', headers: { ...headers, ...as(h, 'self-service', 'self-service-channels') }, payload: body });
    expect([again.statusCode, again.json()]).toEqual([200, { id: orderId, workflowId: `order-${orderId}`, created: false, referral: { recommendationId, interactionId: Number(interaction), agentId: AGENT } }]);
    const { rows: entries } = await h.db.query('SELECT staff_id, sale_channel, source FROM sales_entries WHERE order_id = $1', [orderId]);
    expect(entries).toEqual([{ staff_id: AGENT, sale_channel: 'app', source: 'order' }]);
    const { rows: outcomes } = await h.db.query('SELECT outcome, order_id, agent_id FROM hotline_outcomes WHERE recommendation_id = $1 ORDER BY at, outcome', [recommendationId]);
    expect(outcomes).toEqual([{ outcome: 'referred', order_id: null, agent_id: AGENT }, { outcome: 'completed', order_id: orderId, agent_id: AGENT }]);
    expect(await counts(offerCode)).toEqual({ presented: 1, accepted: 1 }); // a referral followed through is an acceptance
    const { rows: [closed] } = await h.db.query('SELECT status, order_id FROM hotline_referrals WHERE recommendation_id = $1', [recommendationId]);
    expect(closed).toEqual({ status: 'completed', order_id: orderId });
    // The recommendation shows what became of it.
    const shown = await h.inject({ method: 'GET', url: `/interactions/${interaction}/recommendations`, headers: as(h, 'agent', AGENT) });
    expect(shown.json().recommendations[0].outcomes.map((o: { outcome: string }) => o.outcome)).toEqual(['referred', 'completed']);
    await replayAndKeep(h, interactionHandle(h, interaction).workflowId, `hotline-interaction-v1-referral-completed-${run}`);
  });

  it('made after the call, expires when its window closes without an order, recorded as never completed; a later order credits nobody', async () => {
    expect((await settings({ referralWindowSeconds: 3 })).json()).toMatchObject({ referralWindowSeconds: 3 });
    try {
      const offerCode = code('late');
      const { customer, interaction, recommendationId } = await referredCall('f2', offerCode, `in-${run}-2`, true);
      const done = await interactionHandle(h, interaction).result();
      expect(done).toMatchObject({ phase: 'done', referrals: [{ recommendationId, status: 'expired' }] });
      const { rows: [expired] } = await h.db.query('SELECT status, order_id, resolved_at >= expires_at AS late FROM hotline_referrals WHERE recommendation_id = $1', [recommendationId]);
      expect(expired).toEqual({ status: 'expired', order_id: null, late: true });
      const { rows: outcomes } = await h.db.query('SELECT outcome, agent_id, recorded_by FROM hotline_outcomes WHERE recommendation_id = $1 ORDER BY at, outcome', [recommendationId]);
      expect(outcomes).toEqual([
        { outcome: 'referred', agent_id: AGENT, recorded_by: `${AGENT} (agent)` }, { outcome: 'expired', agent_id: AGENT, recorded_by: 'the referral window' },
      ]);
      expect(await counts(offerCode)).toEqual({ presented: 1, accepted: 0 });

      const late = await h.app.inject({
        method: 'POST', url: '/orders', headers: { 'idempotency-key': `late-${run}`, ...as(h, 'self-service', 'app') },
        payload: { customerId: customer, offer: { code: offerCode, name: 'Late', price: 30 }, channel: 'app' },
      });
      expect(late.statusCode).toBe(201);
      expect(late.json().referral).toBeUndefined();
      const { rows: [order] } = await h.db.query('SELECT channel, agent_id FROM orders WHERE id = $1', [late.json().id]);
      expect(order).toEqual({ channel: 'app', agent_id: null });
      await replayAndKeep(h, interactionHandle(h, interaction).workflowId, `hotline-interaction-v1-referral-expired-${run}`);
    } finally {
      await settings({ referralWindowSeconds: 7 * 86_400 });
    }
  });
});

describe('POST /orders from a self-service channel', () => {
  it('names its channel (422 otherwise); an unknown channel is a 400 with its path', async () => {
    const customer = await hotlineCustomer(h, { city: 'f3' });
    const post = (payload: object, key: string) => h.app.inject({
      method: 'POST', url: '/orders', headers: { 'idempotency-key': key, ...as(h, 'self-service', 'app') }, payload,
    });
    const offer = { code: code('none'), name: 'None', price: 1 };
    const none = await post({ customerId: customer, offer }, `none-${run}`);
    expect([none.statusCode, none.json().issues[0].path]).toEqual([422, 'body.channel']);
    const shop = await post({ customerId: customer, offer, channel: 'shop' }, `shop-${run}`);
    expect([shop.statusCode, shop.json().issues[0].path]).toEqual([400, 'body.channel']);
    expect(Number((await h.db.query('SELECT count(*) FROM orders WHERE customer_id = $1', [customer])).rows[0].count)).toBe(0);
  });
});
