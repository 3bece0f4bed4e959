import type { Db } from '../../infra/db';
import { decide, type Decision } from '../../domain/hotline/decide';
import type { Candidate, Exclusion } from '../../domain/hotline/eligibility';
import { chooseScript } from '../../domain/hotline/scripts';
import type { CallReason, Channel, Kind } from '../../domain/hotline/words';
import { dayAt } from '../../domain/sales-points/month';
import type { Catalogue, CatalogueCache } from '../../db/hotline/catalogue-sql';
import type { FactsRow, NewRecommendation, OrderOffer } from '../../db/hotline/recommend-sql';
import type { RecommendBatches } from '../../db/hotline/recommend-batches';
import type { PropensityCache } from '../../db/hotline/propensity-cache';

/**
 * The next best offers of an interaction (docs/hotline.md): decided once, from one query and the
 * catalogue in memory, and stored; a repeat answers the stored ones. A plain function of its
 * dependencies: the API's routes call it, and an activity may.
 */

export interface HotlineDeps {
  db: Db;
  catalogue: CatalogueCache;
  /** The facts read and the sets stored, shared by requests asking at once. */
  batches: RecommendBatches;
  /** The propensity counts, by version. */
  propensity: PropensityCache;
  /** Levers are set by day in the operator's time zone. */
  operatorTimeZone: string;
}

export interface RecommendationView {
  id: number;
  rank: number;
  offer: OrderOffer;
  kind: Kind;
  reason: string;
  priority: number;
  propensity: number;
  value: number;
  lever: number;
  campaignId: string | null;
  script: { brand: string | null; version: number | null; body: string } | null;
  completion: Channel[];
  outcomes: { outcome: string; referredChannel: string | null; orderId: string | null; agentId: string | null; at: string }[];
}

export interface RecommendationsAnswer {
  facts: FactsRow;
  recommendations: RecommendationView[];
  notOffered: Exclusion[];
  capped: string | null;
  /** Decided by this request (false: the stored ones of an earlier one). */
  fresh: boolean;
}

/** Undefined: no such interaction. `guard` sees the interaction before anything is decided (an agent takes a call over there), and throws to refuse. */
export async function recommendationsFor(
  deps: HotlineDeps, interactionId: number, guard: (facts: FactsRow) => void | Promise<void>,
): Promise<RecommendationsAnswer | undefined> {
  let catalogue = await deps.catalogue.get(deps.db);
  const readFacts = () => deps.batches.facts(catalogue.query, interactionId, catalogue.settings.refusalQuietDays);
  let facts = await readFacts();
  if (!facts) return undefined;
  await guard(facts);
  if (facts.catalogue_version !== catalogue.version) {
    // Marketing changed something since this process read the catalogue: read both again, once.
    const newer = await deps.catalogue.refresh(deps.db, facts.catalogue_version);
    if (newer !== catalogue) {
      catalogue = newer;
      facts = (await readFacts())!;
    }
  }
  if (facts.stored?.length) return stored(facts);
  const counts = await deps.propensity.atLeast(deps.db, facts.counts_version);
  const decision = decide({
    channel: facts.channel as Channel, reason: facts.reason as CallReason | null, region: facts.region, day: dayAt(new Date(), deps.operatorTimeZone),
    segment: facts.segment_key, customer: { owns: facts.services, underWay: facts.under_way ?? [], dnc: facts.dnc, erased: facts.erased },
    catalogue: catalogueCandidates(catalogue, facts), fromCampaigns: campaignCandidates(catalogue, facts),
    history: { refusedRecently: new Set(facts.refused ?? []), recentRecommendations: facts.recent },
    counts, levers: catalogue.levers, settings: catalogue.settings,
  });
  const recs = decision.ranked.map((r) => toNew(catalogue, facts!, r));
  if (!recs.length) return { facts, recommendations: [], notOffered: decision.notOffered, capped: decision.capped, fresh: true };
  const ids = await deps.batches.store(interactionId, recs);
  // Another request decided at the same moment and stored its own: those are the answer.
  if (!ids) return stored((await readFacts())!);
  return { facts, recommendations: recs.map((r) => freshView(r, ids.get(r.rank)!, catalogue, facts!)), notOffered: decision.notOffered, capped: decision.capped, fresh: true };
}

function catalogueCandidates(catalogue: Catalogue, facts: FactsRow): Candidate[] {
  return catalogue.offers.map((o, i) => ({
    offerCode: o.code, name: o.name, value: o.margin, channels: o.channels, kind: o.kind, reasons: o.reasons, ruleMatched: facts.matches[i] === true,
  }));
}

/** A running campaign's offer: the catalogue's value, channels and reasons when it lists the offer; else its price, on the call. */
function campaignCandidates(catalogue: Catalogue, facts: FactsRow): Candidate[] {
  return (facts.campaigns ?? []).map((k) => {
    const listed = catalogue.offers.find((o) => o.code === k.offer.code);
    return {
      offerCode: k.offer.code, name: k.offer.name, value: listed?.margin ?? k.offer.price, channels: listed?.channels ?? ['call'],
      kind: 'precision', reasons: listed?.reasons ?? [], ruleMatched: true, campaignId: k.campaignId,
    };
  });
}

type RankedOne = Decision['ranked'][number];

/** What an order of the offer sells: the campaign's offer when a campaign brought it, else the catalogue's. */
function orderOffer(catalogue: Catalogue, facts: FactsRow, r: RankedOne): OrderOffer {
  const campaign = r.campaignId !== undefined ? facts.campaigns?.find((k) => k.campaignId === r.campaignId) : undefined;
  if (campaign) return campaign.offer;
  const o = catalogue.offers.find((x) => x.code === r.offerCode)!;
  return { code: o.code, name: o.name, price: o.price, ships: o.ships, ...(o.collect ? { collect: o.collect } : {}) };
}

function scriptOf(catalogue: Catalogue, facts: FactsRow, r: RankedOne): RecommendationView['script'] {
  const campaignText = r.campaignId !== undefined ? facts.campaigns?.find((k) => k.campaignId === r.campaignId)?.script : undefined;
  const s = chooseScript(catalogue.scripts, r.offerCode, facts.brand, campaignText);
  return s && { brand: s.library?.brand ?? null, version: s.library?.version ?? null, body: s.body };
}

function toNew(catalogue: Catalogue, facts: FactsRow, r: RankedOne): NewRecommendation {
  const script = scriptOf(catalogue, facts, r);
  return {
    offer_code: r.offerCode, offer: orderOffer(catalogue, facts, r), completion: r.channels, rank: r.rank, kind: r.kind, priority: r.priority,
    propensity: r.propensity, value: r.value, lever: r.lever, segment_key: facts.segment_key, reason: r.reason,
    script_brand: script?.version ? script.brand : null, script_version: script?.version ?? null, campaign_id: r.campaignId ?? null,
  };
}

function freshView(r: NewRecommendation, id: number, catalogue: Catalogue, facts: FactsRow): RecommendationView {
  const script = r.script_version !== null ? catalogue.scripts.find((s) => s.offerCode === r.offer_code && s.brand === r.script_brand && s.version === r.script_version) : undefined;
  const campaignScript = r.campaign_id ? facts.campaigns?.find((k) => k.campaignId === r.campaign_id)?.script : undefined;
  return {
    id, rank: r.rank, offer: r.offer, kind: r.kind, reason: r.reason, priority: r.priority, propensity: r.propensity, value: r.value, lever: r.lever,
    campaignId: r.campaign_id,
    script: script ? { brand: script.brand, version: script.version, body: script.body } : campaignScript ? { brand: null, version: null, body: campaignScript } : null,
    completion: r.completion as Channel[], outcomes: [],
  };
}

function stored(facts: FactsRow): RecommendationsAnswer {
  const recommendations = (facts.stored ?? []).map((s) => ({
    id: Number(s.id), rank: s.rank, offer: s.offer, kind: s.kind, reason: s.reason, priority: s.priority, propensity: s.propensity,
    value: Number(s.value), lever: Number(s.lever), campaignId: s.campaignId,
    script: s.script ? { brand: s.scriptBrand, version: s.scriptVersion, body: s.script } : null,
    completion: s.completion as Channel[],
    outcomes: (s.outcomes ?? []).map((o) => ({ ...o, at: new Date(o.at).toISOString() })),
  }));
  return { facts, recommendations, notOffered: [], capped: null, fresh: false };
}
