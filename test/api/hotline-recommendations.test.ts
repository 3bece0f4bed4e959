import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownDatabase } from '../support/own-database';
import { startHarness, uniqueId, type Harness } from '../support/harness';
import { inTransaction } from '../../infra/db';
import { countOutcome } from '../../db/hotline/outcomes-sql';
import { as, codes, hotlineCustomer, openCall, outcome, putOffer, recommend } from '../support/hotline';

/**
 * The next best offer (docs/hotline.md): eligibility from segment rules, the contact policy,
 * arbitration, propensity learned from outcomes, precision marketing from running campaigns, the
 * self-service channels. A database of its own: its offers would be other tests' offers too.
 */
let h: Harness;
const run = uniqueId('nbo').slice(-8);
const code = (name: string) => `${name}-${run}`;
const AGENT = `A${run}`;

beforeAll(async () => { h = await startHarness({ databaseUrl: await ownDatabase('hotline_reco') }); });
afterAll(async () => { await h?.close(); });

describe('eligibility', () => {
  it("offers what the rules let in, never what the customer owns, with the brand's script and the number masked", async () => {
    const city = 'e1';
    const customer = await hotlineCustomer(h, { city, services: [code('owned')], msisdn: '13712345678' });
    await putOffer(h, code('fits'), city);
    await putOffer(h, code('rich'), city, {}, { factor: 'plan', in: ['unlimited-128'] });
    await putOffer(h, code('owned'), city);
    for (const [brand, body] of [['*', 'Hello, any brand'], ['mzone', 'Hey, M-Zone'], ['mzone', 'Hey again, M-Zone']]) {
      expect((await h.inject({ method: 'POST', url: `/offers/${code('fits')}/scripts`, headers: as(h, 'marketing'), payload: { brand, body } })).statusCode).toBe(201);
    }
    const a = await recommend(h, await openCall(h, customer, AGENT), AGENT);
    expect(codes(a)).toEqual([code('fits')]);
    expect(a.customer).toMatchObject({ msisdn: '137****5678', brand: 'mzone' });
    expect(a.recommendations[0]!.script).toEqual({ brand: 'mzone', version: 2, body: 'Hey again, M-Zone' });
    expect(a.recommendations[0]!.completion).toEqual({ onTheCall: true, channels: ['call', 'app'] });
    expect(a.notOffered).toEqual([{ offerCode: code('owned'), why: 'the customer owns it already' }]);
  });

  it('does not offer again what the customer has on order or was referred to and may still complete', async () => {
    const city = 'e3';
    const customer = await hotlineCustomer(h, { city });
    for (const [name, margin] of [['taken', 30], ['sent', 20], ['other', 10]] as const) await putOffer(h, code(name), city, { margin, ships: [] });
    const first = await openCall(h, customer, AGENT);
    const a = await recommend(h, first, AGENT);
    expect([...codes(a)].sort()).toEqual([code('other'), code('sent'), code('taken')]);
    const rec = (name: string) => a.recommendations.find((r) => r.offer.code === code(name))!.id;
    expect((await outcome(h, first, { recommendationId: rec('taken'), outcome: 'accepted' }, AGENT)).statusCode).toBe(201);
    expect((await outcome(h, first, { recommendationId: rec('sent'), outcome: 'referred', referredChannel: 'app' }, AGENT)).statusCode).toBe(201);
    const b = await recommend(h, await openCall(h, customer, AGENT), AGENT);
    expect(codes(b)).toEqual([code('other')]);
    const why = 'the customer has it on order or was referred to it already';
    expect(b.notOffered).toEqual(expect.arrayContaining([{ offerCode: code('taken'), why }, { offerCode: code('sent'), why }]));
    // Once the order has failed and the referral has expired, the offers are the customer's to take again.
    await h.db.query(`UPDATE orders SET status = 'failed' WHERE customer_id = $1`, [customer]);
    await h.db.query(`UPDATE hotline_referrals SET status = 'expired', resolved_at = now() WHERE customer_id = $1`, [customer]);
    const c = await recommend(h, await openCall(h, customer, AGENT), AGENT); // (the weekly cap leaves it one offer)
    expect(c.notOffered.filter((n) => n.why === why)).toEqual([]);
    expect(codes(c)).toEqual([code('taken')]);
  });

  it('gives a customer on do-not-call (flag or register) no sales offer', async () => {
    const city = 'e2';
    await putOffer(h, code('dnc'), city);
    const flagged = await hotlineCustomer(h, { city, dnc: true });
    const listed = await hotlineCustomer(h, { city, msisdn: '13799990001' });
    await h.db.query(`INSERT INTO dnc_numbers (msisdn, source) VALUES ('13799990001', 'api')`);
    for (const id of [flagged, listed]) {
      const a = await recommend(h, await openCall(h, id, AGENT), AGENT);
      expect(a.recommendations).toEqual([]);
      expect(a.notOffered).toEqual([{ offerCode: code('dnc'), why: 'the customer is on do-not-call: no sales offers' }]);
    }
  });
});

describe('arbitration', () => {
  it('ranks by propensity × value × lever, at most three, each with its kind and reason; a repeat answers the same', async () => {
    const city = 'a1';
    await putOffer(h, code('x'), city, { margin: 10, kind: 'service' });
    await putOffer(h, code('y'), city, { margin: 30, reasons: ['bill-query'] });
    await putOffer(h, code('z'), city, { margin: 20 });
    await putOffer(h, code('w'), city, { margin: 5 });
    const lever = await h.inject({ method: 'POST', url: `/offers/${code('z')}/levers`, headers: as(h, 'marketing'), payload: { region: 'gd', lever: 2, effectiveFrom: '2020-01-01' } });
    expect(lever.statusCode).toBe(201);
    // Another region's lever changes nothing here.
    await h.inject({ method: 'POST', url: `/offers/${code('w')}/levers`, headers: as(h, 'marketing'), payload: { region: 'bj', lever: 50, effectiveFrom: '2020-01-01' } });
    const interaction = await openCall(h, await hotlineCustomer(h, { city }), AGENT, 'bill-query');
    const a = await recommend(h, interaction, AGENT);
    expect(codes(a)).toEqual([code('z'), code('y'), code('x')]);
    expect(a.recommendations.map((r) => r.kind)).toEqual(['active', 'cross-sell', 'service']);
    expect(a.recommendations[0]!.priority).toBeCloseTo(a.recommendations[0]!.propensity * 20 * 2);
    expect(a.recommendations[0]!.reason).toBe('a key product marketing pushes; 10% expected to accept (no outcome yet in this segment); worth ¥20.00 a month; lever ×2 in gd');
    expect(a.notOffered).toEqual([{ offerCode: code('w'), why: 'ranked below the offers chosen' }]);
    expect(a.fresh).toBe(true);
    const again = await recommend(h, interaction, AGENT);
    expect(again.fresh).toBe(false);
    expect(again.recommendations.map((r) => r.id)).toEqual(a.recommendations.map((r) => r.id));
    expect(again.recommendations).toEqual(a.recommendations);
  });

  it('decides once when asked twice at the same moment', async () => {
    const city = 'a2';
    await putOffer(h, code('race1'), city);
    await putOffer(h, code('race2'), city, { margin: 25 });
    const interaction = await openCall(h, await hotlineCustomer(h, { city }), AGENT);
    const both = await Promise.all([recommend(h, interaction, AGENT), recommend(h, interaction, AGENT), recommend(h, interaction, AGENT)]);
    expect(new Set(both.map((b) => JSON.stringify(b.recommendations.map((r) => r.id)))).size).toBe(1);
    expect(Number((await h.db.query('SELECT count(*) FROM hotline_recommendations WHERE interaction_id = $1', [interaction])).rows[0].count)).toBe(2);
  });

  it('sees a change made by another process at its next recommendation', async () => {
    const city = 'a3';
    await putOffer(h, code('gone'), city, { margin: 99 });
    await putOffer(h, code('stays'), city);
    const customer = await hotlineCustomer(h, { city });
    expect(codes(await recommend(h, await openCall(h, customer, AGENT), AGENT))[0]).toBe(code('gone'));
    await h.db.query('UPDATE offers SET active = false WHERE code = $1', [code('gone')]);
    expect(codes(await recommend(h, await openCall(h, await hotlineCustomer(h, { city }), AGENT), AGENT))).toEqual([code('stays')]);
  });
});

describe('contact policy', () => {
  it('gives a customer at most M recommendations a week over every channel, and says so', async () => {
    const city = 'c1';
    for (const n of [1, 2, 3, 4, 5]) await putOffer(h, code(`cap${n}`), city, { margin: 10 * n });
    const customer = await hotlineCustomer(h, { city });
    expect(codes(await recommend(h, await openCall(h, customer, AGENT), AGENT))).toHaveLength(3);
    const app = await h.inject({ method: 'POST', url: '/interactions', headers: as(h, 'self-service', 'app'), payload: { customerId: customer, channel: 'app' } });
    const second = await recommend(h, app.json().id, 'app', 'self-service');
    expect(second.recommendations).toHaveLength(2);
    expect(second.capped).toBe('contact policy: 3 recommendations in the last 7 days, at most 5');
    const third = await recommend(h, await openCall(h, customer, AGENT), AGENT);
    expect(third.recommendations).toEqual([]);
    expect(third.capped).toMatch(/5 recommendations/);
  });

  it('does not offer again for N days what the customer refused', async () => {
    const city = 'c2';
    await putOffer(h, code('no'), city, { margin: 50 });
    await putOffer(h, code('maybe'), city);
    const customer = await hotlineCustomer(h, { city });
    const first = await openCall(h, customer, AGENT);
    const a = await recommend(h, first, AGENT);
    expect(codes(a)).toEqual([code('no'), code('maybe')]);
    expect((await outcome(h, first, { recommendationId: a.recommendations[0]!.id, outcome: 'refused' }, AGENT)).statusCode).toBe(201);
    expect((await outcome(h, first, { recommendationId: a.recommendations[1]!.id, outcome: 'not-now' }, AGENT)).statusCode).toBe(201);
    const b = await recommend(h, await openCall(h, customer, AGENT), AGENT);
    expect(codes(b)).toEqual([code('maybe')]);
    expect(b.notOffered).toEqual([{ offerCode: code('no'), why: 'refused within the last 30 days' }]);
  });
});

describe('propensity learned from outcomes', () => {
  it('moves an offer up as customers of the segment accept it, from the prior', async () => {
    const city = 'p1';
    await putOffer(h, code('p-a'), city);
    await putOffer(h, code('p-b'), city);
    const first = await recommend(h, await openCall(h, await hotlineCustomer(h, { city }), AGENT, 'fault'), AGENT);
    expect(codes(first)).toEqual([code('p-a'), code('p-b')]); // a tie: the code decides
    expect(first.recommendations.map((r) => r.propensity)).toEqual([0.1, 0.1]);
    for (let n = 0; n < 3; n++) {
      const interaction = await openCall(h, await hotlineCustomer(h, { city }), AGENT, 'fault');
      const rec = (await recommend(h, interaction, AGENT)).recommendations.find((r) => r.offer.code === code('p-b'))!;
      expect((await outcome(h, interaction, { recommendationId: rec.id, outcome: 'presented' }, AGENT)).statusCode).toBe(201);
      expect((await outcome(h, interaction, { recommendationId: rec.id, outcome: 'accepted' }, AGENT)).statusCode).toBe(201);
    }
    const counts = await h.db.query('SELECT segment_key, presented, accepted FROM hotline_propensity WHERE offer_code = $1 ORDER BY segment_key', [code('p-b')]);
    expect(counts.rows).toEqual([{ segment_key: '*', presented: 3, accepted: 3 }, { segment_key: 'mzone/fault', presented: 3, accepted: 3 }]);
    const later = await recommend(h, await openCall(h, await hotlineCustomer(h, { city }), AGENT, 'fault'), AGENT);
    expect(codes(later)).toEqual([code('p-b'), code('p-a')]);
    expect(later.recommendations[0]!.propensity).toBeGreaterThan(0.2);
    expect(later.recommendations[0]!.reason).toMatch(/3 of 3 similar customers did/);
    // Another segment starts from the offer's rate elsewhere, below what this segment learned.
    const gotone = await recommend(h, await openCall(h, await hotlineCustomer(h, { city, plan: 'unlimited-128' }), AGENT, 'fault'), AGENT);
    expect(gotone.recommendations[0]!.propensity).toBeGreaterThan(0.1);
    expect(gotone.recommendations[0]!.propensity).toBeLessThan(later.recommendations[0]!.propensity);
  });

  it("decides on counts another process wrote, though this one keeps them in memory", async () => {
    const city = 'p2';
    await putOffer(h, code('q-a'), city);
    await putOffer(h, code('q-b'), city);
    const first = await recommend(h, await openCall(h, await hotlineCustomer(h, { city }), AGENT, 'fault'), AGENT);
    expect(codes(first)).toEqual([code('q-a'), code('q-b')]);
    // Outcomes recorded by another API process: its transaction, not this process's routes.
    await inTransaction(h.db, (tx) => countOutcome(tx, code('q-b'), 'mzone/fault', { presented: 5, accepted: 5 }));
    const later = await recommend(h, await openCall(h, await hotlineCustomer(h, { city }), AGENT, 'fault'), AGENT);
    expect(codes(later)).toEqual([code('q-b'), code('q-a')]);
    expect(later.recommendations[0]!.reason).toMatch(/5 of 5 similar customers did/);
  });
});

describe('precision marketing and self-service', () => {
  it("brings a running campaign's offer to a customer on its list, with the campaign's script", async () => {
    const city = 's1';
    const customer = await hotlineCustomer(h, { city });
    const campaign = `k-${run}`;
    const offer = { code: code('camp'), name: 'Campaign bundle', price: 58 };
    await h.db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, 'c', $2, 'running', 'campaign-' || $1)`,
      [campaign, { offer, script: 'Our campaign offer, just for you' }]);
    await h.db.query(`INSERT INTO leads (campaign_id, customer_id, msisdn, region) SELECT $1, id, msisdn, region FROM customers WHERE id = $2`, [campaign, customer]);
    const a = await recommend(h, await openCall(h, customer, AGENT), AGENT);
    expect(a.recommendations).toEqual([expect.objectContaining({
      campaignId: campaign, kind: 'precision', offer: { ...offer }, script: { brand: null, version: null, body: 'Our campaign offer, just for you' },
    })]);
    // The lead done, the campaign's offer is no longer brought.
    await h.db.query(`UPDATE leads SET state = 'done' WHERE campaign_id = $1`, [campaign]);
    expect((await recommend(h, await openCall(h, customer, AGENT), AGENT)).recommendations).toEqual([]);
  });

  it('shows a self-service channel only what it can complete, and keeps it out of calls', async () => {
    const city = 's2';
    await putOffer(h, code('app'), city, { channels: ['app', 'web'] });
    await putOffer(h, code('call'), city, { channels: ['call'], margin: 90 });
    const customer = await hotlineCustomer(h, { city });
    const ivr = as(h, 'self-service', 'ivr');
    const opened = await h.inject({ method: 'POST', url: '/interactions', headers: ivr, payload: { customerId: customer, channel: 'web' } });
    expect(opened.statusCode).toBe(201);
    const a = await recommend(h, opened.json().id, 'ivr', 'self-service');
    expect(codes(a)).toEqual([code('app')]);
    expect(a.notOffered).toEqual([{ offerCode: code('call'), why: 'it cannot be completed in web' }]);
    expect((await h.inject({ method: 'POST', url: '/interactions', headers: ivr, payload: { customerId: customer, channel: 'call' } })).statusCode).toBe(422);
    const call = await openCall(h, customer, AGENT);
    expect((await h.inject({ method: 'GET', url: `/interactions/${call}/recommendations`, headers: ivr })).statusCode).toBe(403);
    expect((await h.inject({ method: 'GET', url: `/interactions/${call}/recommendations`, headers: as(h, 'agent', 'someone-else') })).statusCode).toBe(403);
  });
});

describe('references, checked once per statement (migration 038)', () => {
  it('refuses a recommendation naming a missing interaction or campaign, and deleting, truncating or renumbering what one names', async () => {
    const city = 'r1';
    await putOffer(h, code('ref'), city);
    const customer = await hotlineCustomer(h, { city });
    const call = await openCall(h, customer, AGENT);
    const recs = (await recommend(h, call, AGENT)).recommendations;
    expect(recs).toHaveLength(1); // the copies below take rank 2
    const [rec] = recs;
    const copy = (interaction: unknown, campaign: unknown, rank: number) => h.db.query(
      `INSERT INTO hotline_recommendations (interaction_id, customer_id, channel, offer_code, offer, completion, rank, kind, priority, propensity, value, lever, segment_key, reason, campaign_id)
       SELECT $1, customer_id, channel, offer_code || '-copy', offer, completion, $3, kind, priority, propensity, value, lever, segment_key, reason, $2
         FROM hotline_recommendations WHERE id = $4`, [interaction, campaign, rank, rec!.id]);
    await expect(copy(999_999_999, null, 2)).rejects.toMatchObject({ code: '23503', message: expect.stringContaining('interaction 999999999') });
    await expect(copy(call, `no-such-${run}`, 2)).rejects.toMatchObject({ code: '23503', message: expect.stringContaining(`campaign no-such-${run}`) });
    await expect(h.db.query(`UPDATE hotline_recommendations SET campaign_id = $2 WHERE id = $1`, [rec!.id, `no-such-${run}`])).rejects.toMatchObject({ code: '23503' });
    await expect(h.db.query(`DELETE FROM hotline_interactions WHERE id = $1`, [call])).rejects.toMatchObject({ code: '23503', message: expect.stringContaining(`interaction ${call}`) });
    await expect(h.db.query(`UPDATE hotline_interactions SET id = id + 1000000000 WHERE id = $1`, [call])).rejects.toMatchObject({ code: '23503' });
    await expect(h.db.query('TRUNCATE hotline_interactions CASCADE')).rejects.toMatchObject({ code: '23503' });
    // A campaign a recommendation names stays too; one none names goes.
    const campaign = `ref-${run}`;
    await h.db.query(`INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, 'c', '{}', 'draft', 'campaign-' || $1)`, [campaign]);
    await copy(call, campaign, 2);
    await expect(h.db.query(`DELETE FROM campaigns WHERE id = $1`, [campaign])).rejects.toMatchObject({ code: '23503', message: expect.stringContaining(`campaign ${campaign}`) });
    await h.db.query(`DELETE FROM hotline_recommendations WHERE interaction_id = $1 AND campaign_id = $2`, [call, campaign]);
    await h.db.query(`DELETE FROM campaigns WHERE id = $1`, [campaign]);
  });
});
