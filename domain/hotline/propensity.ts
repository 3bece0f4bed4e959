import { ANY, type CallReason, type Channel, type HotlineSettings } from './words';

/**
 * Propensity: how likely this customer is to accept this offer, learned from outcomes. Counted per
 * offer and segment key (the customer's brand and the context: the call's reason, or the
 * self-service channel), and per offer over every segment ('*').
 *
 * Smoothed twice with Beta priors (the posterior mean, (accepted + w·m) / (presented + w)): the
 * offer's rate over all segments shrinks towards the configured prior, and a segment's rate towards
 * its offer's. A new offer starts at the prior, not at 0 or 1, and a segment nobody has been
 * offered in yet at what the offer does elsewhere; the counts take over as they grow.
 */

export interface Counts {
  presented: number;
  accepted: number;
}

const NONE: Counts = { presented: 0, accepted: 0 };

/** The segment an outcome is counted in: '<brand>/<context>' ('none' for a customer without a brand). */
export function segmentKey(brand: string | null, channel: Channel, reason: CallReason | null): string {
  return `${brand ?? 'none'}/${channel === 'call' ? reason ?? 'other' : channel}`;
}

/** The posterior mean of a rate with a Beta prior of mean `mean` and weight `weight` presentations. */
export function smoothed(counts: Counts, mean: number, weight: number): number {
  const presented = Math.max(0, counts.presented);
  const accepted = Math.min(Math.max(0, counts.accepted), presented);
  return (accepted + weight * mean) / (presented + weight);
}

/** The propensity of an offer in a segment, from its counts there and over every segment. */
export function propensity(
  segment: Counts | undefined, overall: Counts | undefined, settings: Pick<HotlineSettings, 'priorRate' | 'priorWeight'>,
): number {
  const offerRate = smoothed(overall ?? NONE, settings.priorRate, settings.priorWeight);
  return smoothed(segment ?? NONE, offerRate, settings.priorWeight);
}

/** Counts keyed `<offer> <segment key>`, as the stats rows come. */
export type CountsTable = ReadonlyMap<string, Counts>;
export const countsKey = (offerCode: string, segment: string): string => `${offerCode} ${segment}`;

export const propensityOf = (table: CountsTable, offerCode: string, segment: string, settings: Pick<HotlineSettings, 'priorRate' | 'priorWeight'>) =>
  propensity(table.get(countsKey(offerCode, segment)), table.get(countsKey(offerCode, ANY)), settings);

/**
 * What an outcome adds to the counts: the recommendation's first outcome counts it presented (a
 * decision without a 'presented' before it says it was), an acceptance counts accepted.
 */
export function countsDelta(earlier: readonly string[], outcome: string): Counts {
  return { presented: earlier.length === 0 ? 1 : 0, accepted: outcome === 'accepted' ? 1 : 0 };
}
