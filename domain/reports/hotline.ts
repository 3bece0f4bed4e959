import { CHANNELS, type Channel } from '../hotline/words';

/**
 * Hotline marketing's figures (seed 003's report: 话务员业务办理统计, per agent or team, by day or
 * by month), defined once: what each count means, how the rates and the target's verdict follow
 * from the sums. db/reports/hotline-sql.ts counts them from the interactions, recommendations and
 * outcomes; GET /reports/hotline, its CSV and the dashboard all read that.
 *
 * Every figure of an interaction counts on the local day its interaction started (the call came
 * in, the visit began) in the operator's zone, including a referral the customer completes days
 * later: so a rate never passes 1, and a recent day's successes may still grow until its
 * referrals' window closes.
 */

/** What a hotline report can be grouped and filtered by. */
export const HOTLINE_DIMENSIONS = {
  team: 'the hotline team that took the call (\'\': none, a self-service visit)',
  agent: 'the agent who took the call (\'\': none, a self-service visit)',
} as const;
export type HotlineDimension = keyof typeof HOTLINE_DIMENSIONS;
export const HOTLINE_DIMENSION_NAMES = Object.keys(HOTLINE_DIMENSIONS) as HotlineDimension[];

/** Periods a hotline report can be grouped by, in the operator's time zone (one at most). */
export const HOTLINE_PERIODS = {
  day: 'the local day the interaction started (YYYY-MM-DD)',
  month: 'the local month the interaction started (YYYY-MM)',
} as const;
export type HotlinePeriod = keyof typeof HOTLINE_PERIODS;
export const HOTLINE_PERIOD_NAMES = Object.keys(HOTLINE_PERIODS) as HotlinePeriod[];
export type HotlineGroupKey = HotlineDimension | HotlinePeriod;
export const HOTLINE_GROUP_KEYS: readonly HotlineGroupKey[] = [...HOTLINE_DIMENSION_NAMES, ...HOTLINE_PERIOD_NAMES];

/**
 * The additive sums of a group. A recommendation is *presented* once it has any outcome (a decision
 * counts its presentation first). Its *channel* is where the customer was to complete it: the
 * channel it was referred to, else the channel of its interaction (a call's: on the call). It
 * *succeeds* when accepted there, or when the customer completed the referral in that channel.
 */
export const HOTLINE_COUNTS = {
  callsHandled: 'inbound calls an agent answered (interactions of channel call with an answer time)',
  marketingCalls: 'calls handled in which at least one offer was presented',
  targetCalls: 'marketing calls the share target asks for: each call handled times the target of its month, summed',
  recommendations: 'recommendations made (calls and self-service visits), presented or not',
  presented: 'recommendations presented, over every channel',
  successes: 'presented recommendations that succeeded: accepted on the spot, or referred and completed in the channel',
  endedCallsWithOffer: 'marketing calls that have ended (their handle time is known)',
  handleSecondsWithOffer: 'their handle time (answer to end), in seconds',
  endedCallsWithoutOffer: 'calls handled with no offer presented that have ended',
  handleSecondsWithoutOffer: 'their handle time (answer to end), in seconds',
} as const;
export type HotlineCount = keyof typeof HOTLINE_COUNTS;
export const HOTLINE_COUNT_NAMES = Object.keys(HOTLINE_COUNTS) as HotlineCount[];

/** Per channel (on the call, IVR, SMS hall, app, web hall): the seed's 推荐量 and 成功量. */
export const HOTLINE_CHANNEL_COUNTS = {
  presented: 'recommendations presented whose channel this is: on the call, the ones not referred; in a self-service channel, the ones referred to it and the ones presented in it',
  successes: 'of those, the ones that succeeded: accepted on the call (or in the self-service visit), or referred and completed in this channel',
} as const;
export type HotlineChannelCount = keyof typeof HOTLINE_CHANNEL_COUNTS;
export const HOTLINE_CHANNEL_COUNT_NAMES = Object.keys(HOTLINE_CHANNEL_COUNTS) as HotlineChannelCount[];
export type ChannelCounts = Record<HotlineChannelCount, number>;

export type HotlineCounts = Record<HotlineCount, number> & { channels: Record<Channel, ChannelCounts> };

export const HOTLINE_RATES = {
  marketingShare: 'marketing share of call volume: marketing calls ÷ calls handled',
  targetShare: 'the share target: target calls ÷ calls handled (the month\'s target; over several months, weighed by their calls)',
  successRate: 'successes ÷ recommendations presented',
  avgHandleSecondsWithOffer: 'average handle time of the calls with an offer presented: their handle seconds ÷ those ended',
  avgHandleSecondsWithoutOffer: 'average handle time of the calls without: their handle seconds ÷ those ended',
} as const;
export type HotlineRate = keyof typeof HOTLINE_RATES;
export const HOTLINE_RATE_NAMES = Object.keys(HOTLINE_RATES) as HotlineRate[];
export type HotlineRates = Record<HotlineRate, number | null>;

export const TARGET_MET = 'whether the marketing share met the target: marketing calls ≥ target calls (none without calls)';

export const CHANNEL_SUCCESS_RATE = 'successes ÷ presented in the channel';

const ratio = (a: number, b: number, digits = 4): number | null => (b > 0 ? Number((a / b).toFixed(digits)) : null);

export function hotlineRates(c: HotlineCounts): HotlineRates {
  return {
    marketingShare: ratio(c.marketingCalls, c.callsHandled),
    targetShare: ratio(c.targetCalls, c.callsHandled),
    successRate: ratio(c.successes, c.presented),
    avgHandleSecondsWithOffer: ratio(c.handleSecondsWithOffer, c.endedCallsWithOffer, 1),
    avgHandleSecondsWithoutOffer: ratio(c.handleSecondsWithoutOffer, c.endedCallsWithoutOffer, 1),
  };
}

/** Met or not, on the exact sums (the shares shown are rounded); null without a call handled. */
export const targetMet = (c: HotlineCounts): boolean | null => (c.callsHandled > 0 ? c.marketingCalls >= c.targetCalls : null);

export const channelSuccessRate = (c: ChannelCounts): number | null => ratio(c.successes, c.presented);

export function emptyHotlineCounts(): HotlineCounts {
  const base = Object.fromEntries(HOTLINE_COUNT_NAMES.map((n) => [n, 0])) as Record<HotlineCount, number>;
  const channels = Object.fromEntries(CHANNELS.map((ch) => [ch, { presented: 0, successes: 0 }])) as Record<Channel, ChannelCounts>;
  return { ...base, channels };
}

/** Target calls are fractions (0.18 of a call): kept to 4 decimals, as the targets are. */
const fourDecimals = (n: number) => Math.round(n * 10_000) / 10_000;

export function addHotlineCounts(into: HotlineCounts, c: HotlineCounts): HotlineCounts {
  for (const n of HOTLINE_COUNT_NAMES) into[n] = fourDecimals(into[n] + c[n]);
  for (const ch of CHANNELS) for (const n of HOTLINE_CHANNEL_COUNT_NAMES) into.channels[ch][n] += c.channels[ch][n];
  return into;
}

/** A group as the report answers it. */
export interface HotlineLine {
  group: Partial<Record<HotlineGroupKey, string>>;
  counts: Omit<HotlineCounts, 'channels'>;
  channels: Record<Channel, ChannelCounts & { successRate: number | null }>;
  rates: HotlineRates;
  targetMet: boolean | null;
}

export function hotlineLine(group: HotlineLine['group'], c: HotlineCounts): HotlineLine {
  const { channels, ...counts } = c;
  return {
    group,
    counts,
    channels: Object.fromEntries(CHANNELS.map((ch) => [ch, { ...channels[ch], successRate: channelSuccessRate(channels[ch]) }])) as HotlineLine['channels'],
    rates: hotlineRates(c),
    targetMet: targetMet(c),
  };
}

/** A channel's figure as a CSV column: callPresented, ivrSuccessRate, … */
const channelColumn = (ch: Channel, figure: string) => `${ch}${figure[0]!.toUpperCase()}${figure.slice(1)}`;

/** The report as CSV records: a header, then one record per group (keys, counts, channels, rates, target met). */
export function hotlineRecords(groupBy: readonly HotlineGroupKey[], lines: readonly HotlineLine[]): Array<Array<string | number>> {
  const perChannel = [...HOTLINE_CHANNEL_COUNT_NAMES, 'successRate'] as const;
  const header = [
    ...groupBy, ...HOTLINE_COUNT_NAMES, ...CHANNELS.flatMap((ch) => perChannel.map((f) => channelColumn(ch, f))), ...HOTLINE_RATE_NAMES, 'targetMet',
  ];
  return [header, ...lines.map((l) => [
    ...groupBy.map((k) => l.group[k] ?? ''),
    ...HOTLINE_COUNT_NAMES.map((n) => l.counts[n]),
    ...CHANNELS.flatMap((ch) => perChannel.map((f) => l.channels[ch][f] ?? '')),
    ...HOTLINE_RATE_NAMES.map((r) => l.rates[r] ?? ''),
    l.targetMet === null ? '' : String(l.targetMet),
  ])];
}

/** A share target: marketing calls as a share of calls handled, from a month (YYYY-MM) on. */
export interface ShareTarget {
  from: string;
  share: number;
}

/**
 * The target in force in a month: the latest set from that month or before; before the first
 * one, the first one (the migration sets seed 003's 18% from 2000-01, so there always is one).
 */
export function targetInForce<T extends ShareTarget>(targets: readonly T[], month: string): T | undefined {
  const sorted = [...targets].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  return sorted.filter((t) => t.from <= month).at(-1) ?? sorted[0];
}

/** The months (YYYY-MM) a period of days (YYYY-MM-DD, inclusive) touches. */
export function monthsOf(from: string, to: string): string[] {
  const months: string[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  for (let month = from.slice(0, 7); month <= to.slice(0, 7);) {
    months.push(month);
    [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
    month = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
  }
  return months;
}
