import type { CallReason, Channel, Kind } from './words';

/**
 * Who may get which offer: the offers' own rules (segment rules, evaluated in SQL) merged with what
 * holds whatever an offer says: a customer never gets an offer they own (or have on order, or were
 * referred to and may still complete), a do-not-call or erased
 * customer gets no sales offer at all, and a self-service channel shows only what it can complete.
 */

/** An offer that could be recommended, from the catalogue or brought by a running campaign. */
export interface Candidate {
  offerCode: string;
  name: string;
  /** The value of a sale (the offer's margin, yuan a month). */
  value: number;
  /** The channels the customer may complete it in. */
  channels: Channel[];
  /** The offer's default kind of marketing. */
  kind: Kind;
  /** The call reasons it answers. */
  reasons: CallReason[];
  /** Its eligibility rule's verdict for this customer (true when it has none). */
  ruleMatched: boolean;
  /** The running campaign whose list the customer is on, when one brought it. */
  campaignId?: string;
}

export interface CustomerFacts {
  /** Offer codes the customer owns (customers.services). */
  owns: readonly string[];
  /** Offer codes on their way to the customer: an order of it under way, or a referral to it still open. */
  underWay?: readonly string[];
  /** The customer asked not to be called, or the number is on the do-not-call register. */
  dnc: boolean;
  erased: boolean;
}

export interface Exclusion {
  offerCode: string;
  why: string;
}

export interface EligibilityResult {
  eligible: Candidate[];
  /** Offers the customer's rules let in but something else keeps out, with why. */
  excluded: Exclusion[];
  /** Offers whose eligibility rule leaves the customer out: not theirs at all. */
  outside: string[];
}

/**
 * One candidate per offer: a campaign's over the catalogue's (the campaign's segment chose the
 * customer, so its rule stands in for the offer's; the catalogue's value, channels and reasons
 * stay), the first campaign (by id) when several bring the same offer.
 */
export function mergeCandidates(catalogue: readonly Candidate[], fromCampaigns: readonly Candidate[]): Candidate[] {
  const byCode = new Map<string, Candidate>();
  for (const c of catalogue) byCode.set(c.offerCode, c);
  const campaigns = [...fromCampaigns].sort((a, b) => (a.campaignId ?? '').localeCompare(b.campaignId ?? ''));
  const taken = new Set<string>();
  for (const c of campaigns) {
    if (taken.has(c.offerCode)) continue;
    taken.add(c.offerCode);
    const listed = byCode.get(c.offerCode);
    byCode.set(c.offerCode, listed ? { ...listed, campaignId: c.campaignId, ruleMatched: true } : { ...c, ruleMatched: true });
  }
  return [...byCode.values()];
}

/** Whether a channel can show an offer: a call any offer (taken on it or referred), a self-service channel only what it completes. */
export const channelFits = (channel: Channel, offerChannels: readonly Channel[]): boolean =>
  channel === 'call' || offerChannels.includes(channel);

/** The candidates this customer may get in this channel, and why each other one may not. */
export function eligibility(candidates: readonly Candidate[], customer: CustomerFacts, channel: Channel): EligibilityResult {
  const eligible: Candidate[] = [];
  const excluded: Exclusion[] = [];
  const outside: string[] = [];
  for (const c of candidates) {
    if (!c.ruleMatched) {
      outside.push(c.offerCode);
      continue;
    }
    const why = customer.erased ? 'the customer is erased'
      : customer.dnc ? 'the customer is on do-not-call: no sales offers'
      : customer.owns.includes(c.offerCode) ? 'the customer owns it already'
      : customer.underWay?.includes(c.offerCode) ? 'the customer has it on order or was referred to it already'
      : !channelFits(channel, c.channels) ? `it cannot be completed in ${channel}`
      : undefined;
    if (why) excluded.push({ offerCode: c.offerCode, why });
    else eligible.push(c);
  }
  return { eligible, excluded, outside };
}
