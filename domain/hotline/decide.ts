import { arbitrate, leverFor, type Lever, type Ranked, type Scored } from './arbitration';
import { capReached, contactPolicy, type ContactHistory } from './contact-policy';
import { eligibility, mergeCandidates, type Candidate, type CustomerFacts, type Exclusion } from './eligibility';
import { countsKey, propensityOf, type CountsTable } from './propensity';
import type { CallReason, Channel, HotlineSettings } from './words';

/**
 * The next best offers of one interaction, from facts alone: eligibility, the contact policy,
 * propensity, levers, arbitration. The same facts give the same answer (tested in milliseconds).
 */
export interface DecisionFacts {
  channel: Channel;
  reason: CallReason | null;
  region: string;
  /** Today in the operator's time zone (levers are set by day). */
  day: string;
  segment: string;
  customer: CustomerFacts;
  catalogue: readonly Candidate[];
  fromCampaigns: readonly Candidate[];
  history: ContactHistory;
  counts: CountsTable;
  levers: readonly Lever[];
  settings: HotlineSettings;
}

export interface Decision {
  ranked: Ranked[];
  /** Offers whose rules let the customer in, left out: why (the ones outside their rules are not the customer's and are not named). */
  notOffered: Exclusion[];
  /** Set when the weekly cap left no room. */
  capped: string | null;
}

export function decide(f: DecisionFacts): Decision {
  const { eligible, excluded } = eligibility(mergeCandidates(f.catalogue, f.fromCampaigns), f.customer, f.channel);
  const policy = contactPolicy(eligible, f.history, f.settings);
  const scored: Scored[] = policy.allowed.map((c) => {
    const { lever, region } = leverFor(f.levers, c.offerCode, f.region, f.day);
    const evidence = f.counts.get(countsKey(c.offerCode, f.segment)) ?? { presented: 0, accepted: 0 };
    // Object.assign, not `{ ...c, more }`: in Node 20's V8 a spread followed by properties costs some
    // microseconds an object, which made up half of a decision (docs/benchmarks.md, recommendations).
    return Object.assign({}, c, { propensity: propensityOf(f.counts, c.offerCode, f.segment, f.settings), evidence, lever, leverRegion: region });
  });
  const limit = Math.min(f.settings.maxOffers, policy.room);
  const { ranked, zero, below } = arbitrate(scored, limit, { channel: f.channel, reason: f.reason });
  // Of the offers below the chosen, the ones the maximum would have taken were held back by the cap.
  const cap = capReached(f.history.recentRecommendations, f.settings.weeklyCap);
  const held = below.map((offerCode, i) => ({ offerCode, why: ranked.length + i < f.settings.maxOffers ? cap : 'ranked below the offers chosen' }));
  const capped = held.some((e) => e.why === cap) ? cap : null;
  return { ranked, notOffered: [...excluded, ...policy.excluded, ...zero, ...held], capped };
}
