/**
 * The figures the operator runs its business on, each defined once: the counts a report sums
 * (kept per day in the rollups, db/reports/rollup-sql.ts) and the rates computed from those sums
 * (here, pure). The API, the CSV exports, the dashboard and the campaign's progress all read them
 * through this module, so a "contact rate" means one thing everywhere.
 */

/** What a report can be grouped and filtered by. */
export const DIMENSIONS = ['campaign', 'offer', 'team', 'agent', 'region', 'city', 'channel'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
/** Periods a report can be grouped by, in each region's own time zone (weeks start on Monday). */
export const PERIODS = ['day', 'week', 'month'] as const;
export type Period = (typeof PERIODS)[number];
export type GroupKey = Dimension | Period;
export const GROUP_KEYS: readonly GroupKey[] = [...DIMENSIONS, ...PERIODS];

/** The counts, summed over the rows of a group; each says what it counts and on which day. */
export const COUNTS = {
  listed: 'leads listed (held-out control leads excluded), on the day of the list pull',
  dialed: 'leads the dialer called, counted once per lead on the day of their first call that rang',
  connected: 'leads who talked to an agent, counted once per lead on the day of their first connected call',
  accepted: 'calls where the customer accepted the offer',
  ordered: 'orders created (any channel), on their day',
  delivered: 'orders delivered, on the day of delivery',
  activated: 'orders the BSS activated, on the day of activation',
  followedUp: 'orders whose follow-up call reached the customer, on the day of the call',
  calls: 'call attempts that rang the customer (not the ones not placed or blocked at dialing)',
  connectedCalls: 'calls that reached an agent',
  talkSeconds: 'talk time of the connected calls, in seconds',
  abandoned: 'calls the customer answered but no agent took',
  firstDeliveries: 'first delivery attempts that have an outcome, on the day of the outcome',
  firstTimeDelivered: 'orders delivered at the first attempt',
  activationDays: 'days from acceptance to activation, summed over the activated orders',
  satisfactionSum: 'satisfaction scores (1-5) given on follow-up calls, summed',
  satisfactionAnswers: 'follow-up calls that gave a satisfaction score',
  complaints: 'complaints recorded, on their day',
  lost90: 'activated orders whose service ended, or whose customer left the network, within 90 days of activation',
} as const;
export type CountName = keyof typeof COUNTS;
export const COUNT_NAMES = Object.keys(COUNTS) as CountName[];
export type Counts = Record<CountName, number>;

/** The funnel's steps, in order (domain/reports/funnel.ts has the campaign's own funnel). */
export const REPORT_FUNNEL = ['listed', 'dialed', 'connected', 'accepted', 'ordered', 'delivered', 'activated', 'followedUp'] as const;

export const RATES = {
  contactRate: 'connected leads per dialed lead (none per agent: the dialer rings a lead before any agent takes it)',
  conversionPerConnectedCall: 'accepted calls per connected call',
  callsPerAgentHour: 'calls per agent hour (an agent hour: from the start of their first call of the day to the end of their last)',
  salesPerAgentHour: 'accepted calls per agent hour',
  averageTalkSeconds: 'talk time per connected call, in seconds',
  abandonRate: 'abandoned calls per answered call (connected + abandoned)',
  firstTimeDeliverySuccess: 'first delivery attempts that delivered, per first attempt with an outcome',
  daysToActivation: 'average days from acceptance to activation',
  satisfaction: 'average satisfaction score (1-5) of the follow-up calls that gave one',
  complaintsPerThousandSales: 'complaints per 1,000 orders',
  retained90: 'activated orders still active 90 days later, per activated order old enough to know (activated 90+ days ago)',
} as const;
export type RateName = keyof typeof RATES;
export type Rates = Record<RateName, number | null>;

export const emptyCounts = (): Counts => Object.fromEntries(COUNT_NAMES.map((n) => [n, 0])) as Counts;

export function addCounts(into: Counts, more: Counts): Counts {
  for (const n of COUNT_NAMES) into[n] += more[n];
  return into;
}

const ratio = (num: number, den: number, digits = 4): number | null =>
  den > 0 ? Number((num / den).toFixed(digits)) : null;

/**
 * The rates of a group from its counts. `agentHours` is null when the group cannot say (agent
 * hours are kept per agent and day, so a group split by campaign, offer, region, city or channel
 * has none); `retention` the activated orders old enough to know and, of them, the ones lost;
 * `byAgent` when the group is one agent's (splitByAgent).
 */
export function rates(c: Counts, agentHours: number | null, retention: { known: number; lost: number }, byAgent = false): Rates {
  return {
    contactRate: byAgent ? null : ratio(c.connected, c.dialed),
    conversionPerConnectedCall: ratio(c.accepted, c.connectedCalls),
    callsPerAgentHour: agentHours === null ? null : ratio(c.calls, agentHours, 2),
    salesPerAgentHour: agentHours === null ? null : ratio(c.accepted, agentHours, 2),
    averageTalkSeconds: ratio(c.talkSeconds, c.connectedCalls, 1),
    abandonRate: ratio(c.abandoned, c.connectedCalls + c.abandoned),
    firstTimeDeliverySuccess: ratio(c.firstTimeDelivered, c.firstDeliveries),
    daysToActivation: ratio(c.activationDays, c.activated, 2),
    satisfaction: ratio(c.satisfactionSum, c.satisfactionAnswers, 2),
    complaintsPerThousandSales: c.ordered > 0 ? Number(((c.complaints * 1000) / c.ordered).toFixed(2)) : null,
    retained90: ratio(retention.known - retention.lost, retention.known),
  };
}

/**
 * Agent hours make sense for a group only when it is not split by anything an agent's day spans
 * (they call many campaigns' and cities' customers in one day): grouped and filtered by agent,
 * team and period alone.
 */
export const AGENT_HOUR_KEYS: ReadonlySet<GroupKey> = new Set(['agent', 'team', 'day', 'week', 'month']);
export const agentHoursKnown = (groupBy: readonly GroupKey[], filters: readonly Dimension[]): boolean =>
  groupBy.every((k) => AGENT_HOUR_KEYS.has(k)) && filters.every((d) => AGENT_HOUR_KEYS.has(d));

/** Split by agent: a lead is dialed before any agent takes it, so an agent has no contact rate. */
export const splitByAgent = (groupBy: readonly GroupKey[], filters: readonly Dimension[]): boolean =>
  groupBy.includes('agent') || filters.includes('agent');

/** A service still active 90 days after activation can only be known for days 90+ days back. */
export const RETENTION_DAYS = 90;
