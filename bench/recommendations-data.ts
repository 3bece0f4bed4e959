import type { Db } from '../infra/db';
import { campaignWorkflowId } from '../domain/campaign/ids';

/**
 * The world of `npm run bench -- recommendations`, made untimed before the load: a catalogue put
 * through the API as marketing would (offers with eligibility rules, scripts per brand, levers),
 * propensity counts as months of outcomes leave them, a week of earlier recommendations and a
 * month of refusals for a share of the customers, a running campaign whose open leads bring its
 * offer (precision marketing), and the calls to recommend in: one open interaction per customer.
 */

export const AGENT = 'bench-agent';
export const PRECISION_CAMPAIGN = 'bench-hotline-precision';

const everywhere = ['call', 'ivr', 'sms', 'app', 'web'];
/** Twelve offers, their rules of every kind campaigns use (plan, region, spend, tenure, contract end, services, complaints, prospects). */
const OFFERS: { code: string; body: Record<string, unknown>; brands: string[]; lever?: { region: string; lever: number } }[] = [
  { code: 'data-10gb', brands: ['mzone', 'easyown'], lever: { region: 'gd', lever: 2 },
    body: { price: 10, margin: 8, eligibility: { factor: 'inNetwork', value: true }, channels: everywhere, kind: 'cross-sell', reasons: ['bill-query', 'plan-question'] } },
  { code: 'plan-up-88', brands: ['easyown', 'mzone'],
    body: { price: 88, margin: 30, eligibility: { all: [{ factor: 'plan', in: ['basic-38', 'plus-58'] }, { factor: 'tenureMonths', op: 'gte', value: 6 }] },
      channels: ['call', 'app', 'web'], kind: 'service', reasons: ['plan-question', 'bill-query'] } },
  { code: 'plan-up-128', brands: ['gotone'],
    body: { price: 128, margin: 40, eligibility: { all: [{ factor: 'plan', in: ['family-88'] }, { factor: 'monthlySpend', op: 'gte', value: 100 }] },
      channels: ['call', 'web'], kind: 'service', reasons: ['plan-question'] } },
  { code: 'fiber-300', brands: ['gotone'],
    body: { price: 99, margin: 50, eligibility: { all: [{ factor: 'region', in: ['gd', 'js', 'zj', 'sh', 'bj'] }, { factor: 'inNetwork', value: true }] },
      ships: [{ sku: 'fiber-router', qty: 1 }], channels: ['call', 'web'], kind: 'cross-sell', reasons: ['fault'] } },
  { code: 'vas-video', brands: ['mzone'],
    body: { price: 15, margin: 9, eligibility: { factor: 'inNetwork', value: true }, ships: [], channels: ['call', 'sms', 'app'], kind: 'cross-sell', reasons: ['complaint', 'other'] } },
  { code: 'vas-music', brands: [], lever: { region: 'xj', lever: 0 },
    body: { price: 10, margin: 5, eligibility: { factor: 'tenureMonths', op: 'gte', value: 12 }, ships: [], channels: ['call', 'sms', 'app'], kind: 'cross-sell' } },
  { code: 'family-share', brands: ['gotone'],
    body: { price: 20, margin: 12, eligibility: { factor: 'plan', in: ['family-88', 'unlimited-128'] }, ships: [], channels: ['call', 'app'], kind: 'cross-sell' } },
  { code: 'roaming-pack', brands: [],
    body: { price: 30, margin: 18, eligibility: { factor: 'region', in: ['hk', 'mo'] }, ships: [], channels: everywhere, kind: 'service', reasons: ['bill-query'] } },
  { code: 'loyalty-renew', brands: ['gotone', 'mzone', 'easyown'],
    body: { price: 0, margin: 25, eligibility: { factor: 'contractEndsWithinDays', days: 60 }, ships: [], channels: ['call', 'app'], kind: 'service', reasons: ['complaint', 'plan-question'] } },
  { code: 'phone-5g', brands: ['gotone', 'mzone'], lever: { region: '*', lever: 1.5 },
    body: { price: 199, margin: 60, eligibility: { all: [{ factor: 'monthlySpend', op: 'gte', value: 80 }, { factor: 'complaints90d', op: 'lte', value: 1 }] },
      ships: [{ sku: 'phone-5g', qty: 1 }], collect: { method: 'cash-on-delivery', amount: 199 }, channels: ['call', 'web'], kind: 'active' } },
  { code: 'welcome-sim', brands: [],
    body: { price: 38, margin: 20, eligibility: { factor: 'inNetwork', value: false }, channels: ['call', 'web'], kind: 'cross-sell' } },
  { code: 'cloud-100', brands: [],
    body: { price: 6, margin: 4, eligibility: { not: { factor: 'arrears', op: 'gt', value: 0 } }, ships: [], channels: ['app', 'web', 'sms'], kind: 'cross-sell', reasons: ['other'] } },
];

/** Puts the catalogue through the API as marketing: offers, a script for every brand and some of each brand's own, levers. */
export async function putCatalogue(apiUrl: string, token: string): Promise<number> {
  const call = async (method: string, path: string, body: object) => {
    const res = await fetch(`${apiUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  };
  for (const o of OFFERS) {
    await call('PUT', `/offers/${o.code}`, { name: `Offer ${o.code}`, ...o.body });
    await call('POST', `/offers/${o.code}/scripts`, { brand: '*', body: `May I tell you about ${o.code}? It suits customers like you.` });
    for (const brand of o.brands) await call('POST', `/offers/${o.code}/scripts`, { brand, body: `As a ${brand} customer you can have ${o.code} today.` });
    if (o.lever) await call('POST', `/offers/${o.code}/levers`, { ...o.lever, effectiveFrom: '2020-01-01', reason: 'pushed this month' });
  }
  return OFFERS.length;
}

/**
 * Propensity counts of every offer in every segment (brand × reason), as if months of outcomes had
 * been fed back; a week of earlier recommendations for 30% of the customers (the weekly cap counts
 * them), a third of those refused (the quiet period keeps those offers back); and a running
 * campaign whose open leads (5% of the customers) bring its offer. Repeatable (setseed).
 */
export async function seedHistory(db: Db): Promise<void> {
  await db.query('SELECT setseed(0.42)');
  await db.query(`
    INSERT INTO hotline_propensity (offer_code, segment_key, presented, accepted)
    SELECT code, segment_key, p, (p * (0.02 + random() * 0.2))::int
      FROM (SELECT o.code, b || '/' || r AS segment_key, (random() * 400)::int AS p
              FROM offers o, unnest(ARRAY['gotone', 'mzone', 'easyown', 'none']) b, unnest(ARRAY['bill-query', 'plan-question', 'fault', 'complaint', 'other']) r) x`);
  await db.query(`
    INSERT INTO hotline_propensity (offer_code, segment_key, presented, accepted)
    SELECT offer_code, '*', sum(presented), sum(accepted) FROM hotline_propensity GROUP BY offer_code`);
  // As every writer of the counts does (migration 037): the API's copies of them are read again.
  await db.query('UPDATE hotline_propensity_version SET version = version + 1');
  await db.query(`
    WITH past AS (
      INSERT INTO hotline_interactions (channel, customer_id, reason, agent_id, status, started_at, answered_at, ended_at, opened_by, recommended_at)
      SELECT 'call', c.id, 'bill-query', 'bench-agent-earlier', 'ended', t, t, t + interval '5 minutes', 'bench', t
        FROM customers c, LATERAL (SELECT now() - (1 + c.id % 6) * interval '1 day' AS t) x
       WHERE c.id % 10 < 3
      RETURNING id, customer_id, started_at),
    recs AS (
      INSERT INTO hotline_recommendations (interaction_id, customer_id, channel, offer_code, offer, completion, rank, kind, priority, propensity,
                                           value, lever, segment_key, reason, created_at)
      SELECT p.id, p.customer_id, 'call', o.code, jsonb_build_object('code', o.code, 'name', o.name, 'price', o.price), o.channels, o.rank, o.kind,
             o.margin * 0.1, 0.1, o.margin, 1, 'none/bill-query', 'earlier', p.started_at
        FROM past p, LATERAL (SELECT f.*, row_number() OVER () AS rank FROM (SELECT * FROM offers ORDER BY md5(p.id || code) LIMIT 1 + p.id % 2) f) o
      RETURNING id, created_at)
    INSERT INTO hotline_outcomes (recommendation_id, outcome, recorded_by, at)
    SELECT id, outcome, 'bench', created_at FROM recs, unnest(CASE WHEN id % 3 = 0 THEN ARRAY['presented', 'refused'] ELSE ARRAY['presented'] END) outcome`);
  await db.query(
    `INSERT INTO campaigns (id, name, definition, status, workflow_id) VALUES ($1, 'Bench precision', $2, 'running', $3)`,
    [PRECISION_CAMPAIGN, { offer: { code: 'winter-bundle', name: 'Winter bundle', price: 58 }, script: 'This winter, a bundle made for you.' }, campaignWorkflowId(PRECISION_CAMPAIGN)],
  );
  await db.query(
    `INSERT INTO leads (campaign_id, customer_id, msisdn, region, state, attempts)
     SELECT $1, id, msisdn, region, 'pending', 0 FROM customers WHERE id % 20 = 7
     ON CONFLICT DO NOTHING`, [PRECISION_CAMPAIGN]);
  for (const table of ['hotline_propensity', 'hotline_interactions', 'hotline_recommendations', 'hotline_outcomes', 'leads', 'campaigns']) await db.query(`VACUUM ANALYZE ${table}`);
}

/**
 * The calls to recommend in: an open call per customer, the agent's, for a reason of the usual mix
 * (35% bill query, 20% plan question, 20% fault, 10% complaint, 15% other), in an order that
 * mixes customers of every kind. Their ids, in that order.
 */
export async function openCalls(db: Db, agent: string): Promise<number[]> {
  const { rows } = await db.query<{ id: string }>(`
    INSERT INTO hotline_interactions (channel, customer_id, reason, agent_id, status, answered_at, opened_by, call_id)
    SELECT 'call', c.id,
           CASE WHEN h < 35 THEN 'bill-query' WHEN h < 55 THEN 'plan-question' WHEN h < 75 THEN 'fault' WHEN h < 85 THEN 'complaint' ELSE 'other' END,
           $1, 'open', now(), $1, 'bench-call-' || c.id
      FROM customers c, LATERAL (SELECT abs(hashint8(c.id)) % 100 AS h) x
     WHERE c.erased_at IS NULL
     ORDER BY md5(c.id::text)
    RETURNING id`, [agent]);
  await db.query('VACUUM ANALYZE hotline_interactions');
  return rows.map((r) => Number(r.id));
}
