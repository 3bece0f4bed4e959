import {
  COUNT_NAMES, RATES, addCounts, emptyCounts, rates, type Counts, type GroupKey, type RateName, type Rates,
} from './figures';

/** A report's group as the rollups sum it (db/reports/report-sql.ts reads it). */
export interface GroupFigures {
  group: Partial<Record<GroupKey, string>>;
  counts: Counts;
  agentHours: number | null;
  retention: { known: number; lost: number };
}

/** A group as a report answers it: its counts and the rates computed from them. */
export interface ReportLine extends GroupFigures {
  rates: Rates;
}

export const RATE_NAMES = Object.keys(RATES) as RateName[];

/** The rates from the exact sums; the agent hours shown rounded to the second. */
export const withRates = (g: GroupFigures, byAgent = false): ReportLine => ({
  ...g, agentHours: g.agentHours === null ? null : Number(g.agentHours.toFixed(4)), rates: rates(g.counts, g.agentHours, g.retention, byAgent),
});

/**
 * The groups added up. Every count is additive (a lead counts as dialed on its first call's day
 * only, so the days of a month add up to the month), and the rates are computed again from the sums.
 */
export function totalOf(groups: readonly GroupFigures[], agentHoursKnown: boolean, byAgent = false): ReportLine {
  const counts = emptyCounts();
  let hours = 0;
  const retention = { known: 0, lost: 0 };
  for (const g of groups) {
    addCounts(counts, g.counts);
    hours += g.agentHours ?? 0;
    retention.known += g.retention.known;
    retention.lost += g.retention.lost;
  }
  return withRates({ group: {}, counts, agentHours: agentHoursKnown ? hours : null, retention }, byAgent);
}

/** A report as CSV records: a header, then one record per group (group keys, counts, agent hours, rates). */
export function reportRecords(groupBy: readonly GroupKey[], lines: readonly ReportLine[]): Array<Array<string | number>> {
  const header = [...groupBy, ...COUNT_NAMES, 'retentionKnown', 'retentionLost', 'agentHours', ...RATE_NAMES];
  return [header, ...lines.map((l) => [
    ...groupBy.map((k) => l.group[k] ?? ''),
    ...COUNT_NAMES.map((n) => l.counts[n]),
    l.retention.known, l.retention.lost,
    l.agentHours ?? '',
    ...RATE_NAMES.map((r) => l.rates[r] ?? ''),
  ])];
}
