import type { Rule } from '../../domain/campaign/segment';
import type { Lever } from '../../domain/hotline/arbitration';
import type { Script } from '../../domain/hotline/scripts';
import type { CallReason, Channel, HotlineSettings, Kind } from '../../domain/hotline/words';
import type { Queryable } from '../queryable';
import { buildRecommendQuery, type RecommendQuery } from './recommend-sql';

/**
 * What a recommendation needs that changes only when marketing changes it: the active offers with
 * their eligibility rules compiled into the recommendation's one query, the levers, the scripts,
 * the settings. Kept in memory per process and read again when hotline_catalogue's version moved
 * (every change of those tables moves it, by trigger; the recommendation's query reads it).
 */

export interface CatalogueOffer {
  code: string;
  name: string;
  price: number;
  ships: { sku: string; qty: number }[];
  collect: { method: 'cash-on-delivery' | 'deposit'; amount: number } | null;
  margin: number;
  eligibility: Rule | null;
  channels: Channel[];
  kind: Kind;
  reasons: CallReason[];
}

export interface Catalogue {
  version: string;
  /** The active offers, by code: the query's matches[i] is offers[i]'s rule. */
  offers: CatalogueOffer[];
  levers: Lever[];
  /** Active script versions. */
  scripts: Script[];
  settings: HotlineSettings;
  query: RecommendQuery;
}

interface Loaded {
  version: string;
  offers: (Omit<CatalogueOffer, 'price' | 'margin'> & { price: string | number; margin: string | number })[] | null;
  levers: { id: number; offer_code: string; region: string; lever: string | number; effective_from: string; effective_to: string | null }[] | null;
  scripts: { offer_code: string; brand: string; version: number; body: string }[] | null;
  settings: { refusal_quiet_days: number; weekly_cap: number; max_offers: number; prior_rate: string | number; prior_weight: string | number; referral_window_seconds: number };
}

/** Everything in one statement, so one snapshot: the version read is the version of what was read. */
const LOAD_SQL = `SELECT (SELECT version::text FROM hotline_catalogue) AS version,
  (SELECT json_agg(json_build_object('code', o.code, 'name', o.name, 'price', o.price, 'ships', o.ships, 'collect', o.collect, 'margin', o.margin,
                                     'eligibility', o.eligibility, 'channels', o.channels, 'kind', o.kind, 'reasons', o.reasons) ORDER BY o.code)
     FROM offers o WHERE o.active) AS offers,
  (SELECT json_agg(l ORDER BY l.id) FROM (SELECT l.id, l.offer_code, l.region, l.lever, l.effective_from::text AS effective_from, l.effective_to::text AS effective_to
     FROM offer_levers l JOIN offers o ON o.code = l.offer_code AND o.active
    WHERE l.effective_to IS NULL OR l.effective_to >= current_date - 1) l) AS levers,
  (SELECT json_agg(s) FROM (SELECT s.offer_code, s.brand, s.version, s.body FROM offer_scripts s JOIN offers o ON o.code = s.offer_code AND o.active WHERE s.active) s) AS scripts,
  (SELECT row_to_json(h) FROM hotline_settings h) AS settings`;

export async function loadCatalogue(q: Queryable): Promise<Catalogue> {
  const { rows: [r] } = await q.query<Loaded>(LOAD_SQL);
  const offers = (r!.offers ?? []).map((o) => ({ ...o, price: Number(o.price), margin: Number(o.margin) }));
  const s = r!.settings;
  return {
    version: r!.version,
    offers,
    levers: (r!.levers ?? []).map((l) => ({
      id: Number(l.id), offerCode: l.offer_code, region: l.region, lever: Number(l.lever), effectiveFrom: l.effective_from, effectiveTo: l.effective_to,
    })),
    scripts: (r!.scripts ?? []).map((x) => ({ offerCode: x.offer_code, brand: x.brand, version: x.version, body: x.body, active: true })),
    settings: {
      refusalQuietDays: s.refusal_quiet_days, weeklyCap: s.weekly_cap, maxOffers: s.max_offers, priorRate: Number(s.prior_rate), priorWeight: Number(s.prior_weight),
      referralWindowSeconds: s.referral_window_seconds,
    },
    query: buildRecommendQuery(r!.version, offers),
  };
}

/** One per process: the catalogue as last read, read again when a query shows another version. */
export class CatalogueCache {
  private current: Catalogue | undefined;
  private loading: Promise<Catalogue> | undefined;

  /** The catalogue as cached, read first if there is none. */
  async get(q: Queryable): Promise<Catalogue> {
    return this.current ?? this.reload(q);
  }

  /** Reads the catalogue again unless the cached one is of `seen` version (concurrent callers share one read). */
  async refresh(q: Queryable, seen: string): Promise<Catalogue> {
    if (this.current?.version === seen) return this.current;
    return this.reload(q);
  }

  /** Forgets the cached catalogue (after this process changed it: no stale answer in between). */
  invalidate(): void {
    this.current = undefined;
  }

  private reload(q: Queryable): Promise<Catalogue> {
    this.loading ??= loadCatalogue(q).then((c) => {
      // A newer one read meanwhile stays.
      if (!this.current || BigInt(c.version) >= BigInt(this.current.version)) this.current = c;
      return this.current;
    }).finally(() => { this.loading = undefined; });
    return this.loading;
  }
}
