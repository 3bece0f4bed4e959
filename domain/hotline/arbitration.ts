import type { Candidate, Exclusion } from './eligibility';
import type { Counts } from './propensity';
import { ANY, type CallReason, type Channel, type Kind } from './words';

/**
 * Arbitration (the decisioning products' word): priority = propensity × value × lever, the best
 * first, up to the settings' maximum and the room the contact policy leaves. Each offer chosen
 * gets its kind of hotline marketing and a reason a person can read.
 */

/** A business lever as marketing set it (offer_levers): a region's own or every region's ('*'), for a period of days. */
export interface Lever {
  id: number;
  offerCode: string;
  region: string;
  lever: number;
  /** First day in force (YYYY-MM-DD, the operator's time zone). */
  effectiveFrom: string;
  /** First day no longer in force; null: until further notice. */
  effectiveTo: string | null;
}

/** The lever in force for an offer in a region on a day: the region's own over '*', the latest set (highest id) of those; 1 when none. */
export function leverFor(levers: readonly Lever[], offerCode: string, region: string, day: string): { lever: number; region: string | null } {
  let best: Lever | undefined;
  for (const l of levers) {
    if (l.offerCode !== offerCode || (l.region !== region && l.region !== ANY)) continue;
    if (l.effectiveFrom > day || (l.effectiveTo !== null && l.effectiveTo <= day)) continue;
    const better = !best || (l.region !== ANY && best.region === ANY) || (l.region === best.region && l.id > best.id);
    if (better) best = l;
  }
  return best ? { lever: best.lever, region: best.region } : { lever: 1, region: null };
}

export interface Scored extends Candidate {
  propensity: number;
  /** How many presentations the propensity of the segment rests on (0: the prior or the offer's rate elsewhere). */
  evidence: Counts;
  lever: number;
  leverRegion: string | null;
}

export interface Ranked extends Scored {
  rank: number;
  priority: number;
  kind: Kind;
  reason: string;
}

export const priorityOf = (s: Pick<Scored, 'propensity' | 'value' | 'lever'>): number => s.propensity * s.value * s.lever;

/** Best first: priority, then a campaign's before the catalogue's, then the higher value, then the offer code, so equal scores always rank alike. */
export function compareScored(a: Scored, b: Scored): number {
  return priorityOf(b) - priorityOf(a)
    || Number(b.campaignId !== undefined) - Number(a.campaignId !== undefined)
    || b.value - a.value
    || (a.offerCode < b.offerCode ? -1 : a.offerCode > b.offerCode ? 1 : 0);
}

export interface Context {
  channel: Channel;
  reason: CallReason | null;
}

/**
 * The kind of hotline marketing: precision when a campaign brought it, service when it answers the
 * customer's question about plans, cross-selling when it answers the problem they called about,
 * active when marketing pushes it (a lever above 1), else the offer's own.
 */
export function kindOf(s: Pick<Scored, 'campaignId' | 'reasons' | 'lever' | 'kind'>, ctx: Context): Kind {
  if (s.campaignId !== undefined) return 'precision';
  if (ctx.channel === 'call' && ctx.reason && s.reasons.includes(ctx.reason)) return ctx.reason === 'plan-question' ? 'service' : 'cross-sell';
  if (s.lever > 1) return 'active';
  return s.kind;
}

const REASON_WORDS: Record<CallReason, string> = {
  'bill-query': 'the bill query', 'plan-question': 'the plan question', fault: 'the fault', complaint: 'the complaint', other: 'the call',
};

const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;

/** "Why this offer", in words: what brought it, how likely a yes is and on what, its value and lever. */
export function reasonFor(s: Scored, kind: Kind, ctx: Context): string {
  const parts: string[] = [];
  if (kind === 'precision') parts.push(`the customer is on the list of running campaign ${s.campaignId}`);
  else if (kind === 'service') parts.push(`answers the customer's question about plans`);
  else if (kind === 'cross-sell') parts.push(`solves ${REASON_WORDS[ctx.reason ?? 'other']}`);
  else if (kind === 'active') parts.push(`a key product marketing pushes`);
  parts.push(s.evidence.presented > 0
    ? `${pct(s.propensity)} expected to accept (${s.evidence.accepted} of ${s.evidence.presented} similar customers did)`
    : `${pct(s.propensity)} expected to accept (no outcome yet in this segment)`);
  parts.push(`worth ¥${s.value.toFixed(2)} a month`);
  if (s.lever !== 1) parts.push(`lever ×${s.lever}${s.leverRegion && s.leverRegion !== ANY ? ` in ${s.leverRegion}` : ''}`);
  return parts.join('; ');
}

/**
 * The offers chosen, ranked from 1: at most `limit`, none with a priority of 0 (a lever of 0, or
 * no value); the ones of priority 0 with why, and the codes of the rest, best first.
 */
export function arbitrate(scored: readonly Scored[], limit: number, ctx: Context): { ranked: Ranked[]; zero: Exclusion[]; below: string[] } {
  const zero: Exclusion[] = [];
  const live = scored.filter((s) => {
    if (priorityOf(s) > 0) return true;
    zero.push({ offerCode: s.offerCode, why: s.lever === 0 ? 'its lever is 0 here' : 'its priority is 0' });
    return false;
  });
  const sorted = [...live].sort(compareScored);
  const ranked = sorted.slice(0, Math.max(0, limit)).map((s, i) => {
    const kind = kindOf(s, ctx);
    return Object.assign({}, s, { rank: i + 1, priority: priorityOf(s), kind, reason: reasonFor(s, kind, ctx) }); // not a spread: see decide.ts
  });
  return { ranked, zero, below: sorted.slice(ranked.length).map((s) => s.offerCode) };
}
