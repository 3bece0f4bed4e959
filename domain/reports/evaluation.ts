import { newcombe, welch, type Difference } from './statistics';

export { newcombe, studentQuantile, welch, wilson, Z95 } from './statistics';

/**
 * Did the campaign change anything? Its evaluation (GET /reports/evaluation) compares the treated
 * leads (listed and called) with its control group (held out at the list pull, never called:
 * domain/campaign/holdout.ts) over the same period, as assigned (intention to treat: a treated
 * lead the campaign never reached still counts as treated, since the draw, not the dialer, made the
 * groups alike). Per measure: each group's figure, the uplift (treated minus held out) with its
 * 95% interval, and a plain verdict.
 */

export const MEASURES = ['ordered', 'activated', 'spendChange', 'churned'] as const;
export type MeasureName = (typeof MEASURES)[number];

/** What each measure counts, in a user's words. */
export const MEASURE_MEANING: Record<MeasureName, string> = {
  ordered: "share of leads whose customer ordered the campaign's offer in the period, through any channel",
  activated: "share of leads whose customer had an order of the campaign's offer made in the period and activated by its end",
  spendChange: 'mean change of monthly spend (yuan) from the list pull to now, over leads whose spend at the pull is known',
  churned: 'share of leads, among customers in the network at the list pull, who left the network in the period',
};

/**
 * Below these a verdict would be noise, so the answer is "too small to tell":
 * - MIN_GROUP: each group must have at least 30 leads counted by the measure. Under 30 the
 *   intervals lean on approximations (the normal one behind Wilson's score, the t behind Welch's)
 *   that small samples do not bear out, and a control group that small cannot show any effect of
 *   a size a campaign plausibly has.
 * - MIN_EVENTS: a proportion needs at least 10 events and 10 non-events across both groups (the
 *   usual rule for a binary outcome): with fewer, "no difference" only says nothing happened to
 *   anyone, which is no evidence either way.
 */
export const MIN_GROUP = 30;
export const MIN_EVENTS = 10;

/** One group's figures as the evaluation's SQL counts them (db/reports/evaluation-sql.ts). */
export interface GroupFigures {
  leads: number;
  ordered: number;
  activated: number;
  /** Leads whose spend at the pull is known, the mean and (n − 1) variance of their change (null under 1 or 2). */
  spendKnown: number;
  spendMean: number | null;
  spendVariance: number | null;
  /** Leads whose customer was in the network at the pull and had not left before it. */
  atRisk: number;
  churned: number;
}

export type Verdict = 'too-small' | 'no-difference' | 'raised' | 'lowered';

export interface GroupMeasure {
  /** Leads the measure counts in this group. */
  n: number;
  /** For a share: how many of them had the event. */
  events?: number;
  /** The share (events ÷ n) or the mean; null when n is 0. */
  value: number | null;
}

export interface Measure {
  measure: MeasureName;
  meaning: string;
  unit: 'share' | 'yuan';
  treated: GroupMeasure;
  heldOut: GroupMeasure;
  /** Treated minus held out, with its 95% interval; null when a group has nobody to measure. */
  uplift: number | null;
  ci: { lower: number; upper: number } | null;
  verdict: Verdict;
  /** The verdict in a sentence. */
  says: string;
}

const WHAT: Record<MeasureName, string> = {
  ordered: 'the share of customers who ordered the offer',
  activated: 'the share of customers with an activated order of the offer',
  spendChange: 'the change of monthly spend',
  churned: 'the share of customers who left the network',
};

/** 0.0423 → "4.2 points"; 3.2 yuan → "3.20 yuan". */
const amount = (x: number, unit: Measure['unit']) =>
  unit === 'share' ? `${(x * 100).toFixed(1)} points` : `${x.toFixed(2)} yuan`;
const signed = (x: number, unit: Measure['unit']) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${amount(Math.abs(x), unit)}`;
const interval = (d: Difference, unit: Measure['unit']) => `95% CI ${signed(d.lower, unit)} to ${signed(d.upper, unit)}`;

/** The verdict on a difference found big enough to judge: its interval spans 0 or lies to one side. */
function judged(name: MeasureName, unit: Measure['unit'], d: Difference): { verdict: Verdict; says: string } {
  if (d.lower <= 0 && d.upper >= 0) {
    return { verdict: 'no-difference', says: `no detectable difference in ${WHAT[name]}: ${signed(d.difference, unit)} (${interval(d, unit)}, which spans 0)` };
  }
  const raised = d.difference > 0;
  return {
    verdict: raised ? 'raised' : 'lowered',
    says: `the campaign ${raised ? 'raised' : 'lowered'} ${WHAT[name]} by ${amount(Math.abs(d.difference), unit)} (${interval(d, unit)})`,
  };
}

const tooSmall = (why: string) => ({ verdict: 'too-small' as const, says: `too small to tell: ${why}` });

/** Why the groups are too small to judge, or undefined: each needs MIN_GROUP. */
function groupsTooSmall(treated: number, heldOut: number, counted: string): string | undefined {
  const small = [treated < MIN_GROUP ? `the treated group has ${treated}` : '', heldOut < MIN_GROUP ? `the held-out group has ${heldOut}` : '']
    .filter(Boolean).join(' and ');
  return small ? `${small} ${counted} (at least ${MIN_GROUP} in each group needed)` : undefined;
}

/** A share's measure: Newcombe's interval of the difference, judged once both groups and the events are enough. */
export function shareMeasure(name: MeasureName, t: { n: number; events: number }, h: { n: number; events: number }, counted = 'leads'): Measure {
  const base = {
    measure: name, meaning: MEASURE_MEANING[name], unit: 'share' as const,
    treated: { n: t.n, events: t.events, value: t.n ? t.events / t.n : null },
    heldOut: { n: h.n, events: h.events, value: h.n ? h.events / h.n : null },
  };
  if (!t.n || !h.n) return { ...base, uplift: null, ci: null, ...tooSmall(groupsTooSmall(t.n, h.n, counted)!) };
  const d = newcombe(t.events, t.n, h.events, h.n);
  const events = t.events + h.events;
  const nonEvents = t.n + h.n - events;
  const why = groupsTooSmall(t.n, h.n, counted)
    ?? (events < MIN_EVENTS ? `${events} event${events === 1 ? '' : 's'} in both groups together (at least ${MIN_EVENTS} needed)` : undefined)
    ?? (nonEvents < MIN_EVENTS ? `only ${nonEvents} without the event in both groups together (at least ${MIN_EVENTS} needed)` : undefined);
  return { ...base, uplift: d.difference, ci: { lower: d.lower, upper: d.upper }, ...(why ? tooSmall(why) : judged(name, 'share', d)) };
}

/** The spend measure: Welch's interval of the difference of the mean changes. */
export function spendMeasure(t: GroupFigures, h: GroupFigures): Measure {
  const group = (g: GroupFigures): GroupMeasure => ({ n: g.spendKnown, value: g.spendKnown ? g.spendMean : null });
  const base = { measure: 'spendChange' as const, meaning: MEASURE_MEANING.spendChange, unit: 'yuan' as const, treated: group(t), heldOut: group(h) };
  const why = groupsTooSmall(t.spendKnown, h.spendKnown, 'leads with a known spend at the pull');
  if (t.spendKnown < 2 || h.spendKnown < 2) return { ...base, uplift: null, ci: null, ...tooSmall(why!) };
  const d = welch({ n: t.spendKnown, mean: t.spendMean ?? 0, variance: t.spendVariance ?? 0 },
    { n: h.spendKnown, mean: h.spendMean ?? 0, variance: h.spendVariance ?? 0 });
  return { ...base, uplift: d.difference, ci: { lower: d.lower, upper: d.upper }, ...(why ? tooSmall(why) : judged('spendChange', 'yuan', d)) };
}

/** Every measure of an evaluation, from the two groups' figures. */
export function evaluate(treated: GroupFigures, heldOut: GroupFigures): Measure[] {
  return [
    shareMeasure('ordered', { n: treated.leads, events: treated.ordered }, { n: heldOut.leads, events: heldOut.ordered }),
    shareMeasure('activated', { n: treated.leads, events: treated.activated }, { n: heldOut.leads, events: heldOut.activated }),
    spendMeasure(treated, heldOut),
    shareMeasure('churned', { n: treated.atRisk, events: treated.churned }, { n: heldOut.atRisk, events: heldOut.churned },
      'leads in the network at the pull'),
  ];
}
