import type { Rule } from '../../domain/campaign/segment';
import type { Kind } from '../../domain/hotline/words';
import { CAP_WINDOW_DAYS } from '../../domain/hotline/words';
import { ORDER_STATUSES, isSettled } from '../../domain/order/order';
import { SqlParams, compileRule } from '../campaign/segment-sql';
import { onRegister } from '../compliance/dnc-sql';
import type { Queryable } from '../queryable';

/**
 * The recommendation's one round trip: the interaction, its customer (brand, do-not-call, what
 * they own, what they have on order or were referred to), every active offer's eligibility rule evaluated for them (compiled once per catalogue
 * version, `WHERE c.id = … AND <rule>` as one array of verdicts), the recommendations already made
 * in it, the contact history, the propensity counts' version, and the running
 * campaigns whose open leads they are on. Each part is an indexed lookup by interaction or customer.
 */

/**
 * $1 the interactions (one or many: db/hotline/recommend-batches.ts), $2 refusalQuietDays; the rules' values follow from $3. Prepared by name on
 * each connection (planning it cost more than running it), one name per catalogue version.
 */
export interface RecommendQuery {
  name: string;
  sql: string;
  ruleValues: unknown[];
}

/** Segment key in SQL: the twin of domain/hotline/propensity.ts segmentKey. */
const SEGMENT_KEY = `coalesce(pb.brand, 'none') || '/' || CASE WHEN i.channel = 'call' THEN coalesce(i.reason, 'other') ELSE i.channel END`;

/**
 * An order still under way (not in a final status): its offer is on its way to the customer, an
 * accepted recommendation's order too (it is written with the acceptance).
 */
const UNDER_WAY = ORDER_STATUSES.filter((st) => !isSettled(st)).map((st) => `'${st}'`).join(', ');

/** A campaign's lead that may still be called: the campaign's offer is the customer's too. */
const OPEN_LEAD = `l.state IN ('pending', 'dialing')`;

export function buildRecommendQuery(version: string, offers: readonly { eligibility: Rule | null }[]): RecommendQuery {
  const p = new SqlParams([null, null]);
  const verdicts = offers.map((o) => (o.eligibility ? `coalesce(${compileRule(o.eligibility, p, 'c')}, false)` : 'true'));
  const sql = `
SELECT i.id, i.channel, i.customer_id::text AS customer_id, i.reason, i.agent_id, i.status, i.recommended_at,
       (SELECT version::text FROM hotline_catalogue) AS catalogue_version,
       c.msisdn, c.region, c.city, c.plan, c.services, c.erased_at IS NOT NULL AS erased,
       (c.dnc OR ${onRegister('c.msisdn')}) AS dnc, pb.brand, sk.segment_key,
       ARRAY[${verdicts.join(', ')}]::boolean[] AS matches,
       (SELECT json_agg(json_build_object(
                 'id', r.id, 'rank', r.rank, 'offerCode', r.offer_code, 'offer', r.offer, 'completion', r.completion, 'kind', r.kind,
                 'priority', r.priority, 'propensity', r.propensity, 'value', r.value, 'lever', r.lever, 'reason', r.reason, 'campaignId', r.campaign_id,
                 'scriptBrand', r.script_brand, 'scriptVersion', r.script_version,
                 'script', coalesce(s.body, CASE WHEN r.script_version IS NULL THEN k.definition->>'script' END),
                 'outcomes', (SELECT json_agg(json_build_object('outcome', o.outcome, 'referredChannel', o.referred_channel, 'orderId', o.order_id,
                                                                'agentId', o.agent_id, 'at', o.at) ORDER BY o.at, o.outcome)
                                FROM hotline_outcomes o WHERE o.recommendation_id = r.id)) ORDER BY r.rank)
          FROM hotline_recommendations r
          LEFT JOIN offer_scripts s ON s.offer_code = r.offer_code AND s.brand = r.script_brand AND s.version = r.script_version
          LEFT JOIN campaigns k ON k.id = r.campaign_id
         WHERE r.interaction_id = i.id) AS stored,
       (SELECT count(*)::int FROM hotline_recommendations r
         WHERE r.customer_id = i.customer_id AND r.created_at > now() - make_interval(days => ${CAP_WINDOW_DAYS}) AND r.interaction_id <> i.id) AS recent,
       (SELECT array_agg(DISTINCT r.offer_code) FROM hotline_recommendations r
          JOIN hotline_outcomes o ON o.recommendation_id = r.id AND o.outcome = 'refused'
         WHERE r.customer_id = i.customer_id AND o.at > now() - make_interval(days => $2::int)) AS refused,
       (SELECT array_agg(DISTINCT u.offer_code) FROM (
          SELECT o.offer_code FROM orders o WHERE o.customer_id = i.customer_id AND o.status IN (${UNDER_WAY})
          UNION ALL SELECT f.offer_code FROM hotline_referrals f WHERE f.customer_id = i.customer_id AND f.status = 'open') u) AS under_way,
       (SELECT version::text FROM hotline_propensity_version) AS counts_version,
       (SELECT json_agg(json_build_object('campaignId', k.id, 'offer', k.definition->'offer', 'script', k.definition->>'script') ORDER BY k.id)
          FROM leads l JOIN campaigns k ON k.id = l.campaign_id
         WHERE l.customer_id = i.customer_id AND ${OPEN_LEAD} AND k.status = 'running') AS campaigns
  FROM hotline_interactions i
  JOIN customers c ON c.id = i.customer_id
  LEFT JOIN plan_brands pb ON pb.plan = c.plan
 CROSS JOIN LATERAL (SELECT ${SEGMENT_KEY} AS segment_key OFFSET 0) sk -- computed once per interaction, not per counts row
 WHERE i.id = ANY($1::bigint[])`;
  return { name: `hotline-recommend-${version}`, sql, ruleValues: p.values.slice(2) };
}

export interface StoredRecommendation {
  id: number;
  rank: number;
  offerCode: string;
  offer: OrderOffer;
  completion: string[];
  kind: Kind;
  priority: number;
  propensity: number;
  value: string | number;
  lever: string | number;
  reason: string;
  campaignId: string | null;
  scriptBrand: string | null;
  scriptVersion: number | null;
  script: string | null;
  outcomes: { outcome: string; referredChannel: string | null; orderId: string | null; agentId: string | null; at: string }[] | null;
}

/** What an order of an offer sells (POST /orders' offer). */
export interface OrderOffer {
  code: string;
  name: string;
  price: number;
  ships?: { sku: string; qty: number }[];
  collect?: { method: 'cash-on-delivery' | 'deposit'; amount: number };
}

export interface FactsRow {
  id: string;
  channel: string;
  customer_id: string;
  reason: string | null;
  agent_id: string | null;
  status: string;
  recommended_at: Date | null;
  catalogue_version: string;
  msisdn: string;
  region: string;
  city: string;
  plan: string;
  services: string[];
  erased: boolean;
  dnc: boolean;
  brand: string | null;
  segment_key: string;
  matches: boolean[];
  stored: StoredRecommendation[] | null;
  recent: number;
  refused: string[] | null;
  /** Offers on order (under way) or referred to and still open for this customer. */
  under_way: string[] | null;
  /** The propensity counts' version (db/hotline/propensity-cache.ts holds the counts). */
  counts_version: string;
  campaigns: { campaignId: string; offer: OrderOffer; script: string | null }[] | null;
}

/** The facts of each interaction asked for that exists, by its id. */
export async function readFacts(q: Queryable, query: RecommendQuery, interactionIds: readonly number[], refusalQuietDays: number): Promise<Map<number, FactsRow>> {
  const { rows } = await q.query<FactsRow>({ name: query.name, text: query.sql, values: [interactionIds, refusalQuietDays, ...query.ruleValues] });
  return new Map(rows.map((r) => [Number(r.id), r]));
}

/** A recommendation to store, as it was decided. */
export interface NewRecommendation {
  offer_code: string;
  offer: OrderOffer;
  completion: string[];
  rank: number;
  kind: Kind;
  priority: number;
  propensity: number;
  value: number;
  lever: number;
  segment_key: string;
  reason: string;
  script_brand: string | null;
  script_version: number | null;
  campaign_id: string | null;
}

/**
 * Stores interactions' recommendations, each interaction's all or none: each is claimed for them in
 * the same statement, so of two requests deciding one interaction at once one stores its set and the
 * other none (and answers the stored one). The claims lock in id order, so two batches sharing
 * interactions wait for each other rather than deadlock. Answers each stored interaction's new ids
 * by rank; an interaction another request stored first is missing.
 */
export async function storeRecommendations(
  q: Queryable, sets: readonly { interactionId: number; recs: readonly NewRecommendation[] }[],
): Promise<Map<number, Map<number, number>>> {
  const input = sets.flatMap(({ interactionId, recs }) => recs.map((r) => ({ interaction_id: interactionId, ...r })));
  const { rows } = await q.query<{ interaction_id: string; id: string; rank: number }>({
    name: 'hotline-store-recommendations',
    text: `WITH x AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(interaction_id bigint, offer_code text, offer jsonb, completion text[], rank smallint, kind text,
              priority double precision, propensity double precision, value numeric, lever numeric, segment_key text, reason text,
              script_brand text, script_version int, campaign_id text)),
     free AS (
       SELECT id FROM hotline_interactions WHERE id IN (SELECT interaction_id FROM x) AND recommended_at IS NULL ORDER BY id FOR UPDATE),
     claim AS (
       UPDATE hotline_interactions i SET recommended_at = now() FROM free WHERE i.id = free.id RETURNING i.id, i.customer_id, i.channel)
     INSERT INTO hotline_recommendations (interaction_id, customer_id, channel, offer_code, offer, completion, rank, kind, priority, propensity,
                                          value, lever, segment_key, reason, script_brand, script_version, campaign_id)
     SELECT claim.id, claim.customer_id, claim.channel, x.offer_code, x.offer, x.completion, x.rank, x.kind, x.priority, x.propensity,
            x.value, x.lever, x.segment_key, x.reason, x.script_brand, x.script_version, x.campaign_id
       FROM claim JOIN x ON x.interaction_id = claim.id
     RETURNING interaction_id, id, rank`,
    values: [JSON.stringify(input)],
  });
  const stored = new Map<number, Map<number, number>>();
  for (const r of rows) {
    const id = Number(r.interaction_id);
    if (!stored.has(id)) stored.set(id, new Map());
    stored.get(id)!.set(r.rank, Number(r.id));
  }
  return stored;
}
