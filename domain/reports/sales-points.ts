/**
 * Sales points' figures (seed 002's statistics: by time, service, outlet, area and department),
 * defined once: what each count means, how the rates follow from the sums, and what a leaderboard
 * or a contest ranks by. db/reports/sales-points-sql.ts sums them from the sales and the ledger; the
 * API, the CSV, the dashboard, the leaderboard and the contests all read that.
 */

/** What a sales-points report can be grouped and filtered by. */
export const SALES_DIMENSIONS = {
  staff: 'the staff member (staff id) who made the sale',
  outlet: 'the outlet (营业厅) at the sale',
  area: 'the area (营业区域) at the sale',
  department: 'the department (营业部) at the sale',
  channel: 'own outlets or partners\' (own, partner)',
  service: 'the service (its code)',
  month: 'the month (YYYY-MM)',
} as const;
export type SalesDimension = keyof typeof SALES_DIMENSIONS;
export const SALES_DIMENSION_NAMES = Object.keys(SALES_DIMENSIONS) as SalesDimension[];

/** The additive sums of a group. Points are as the ledger has them: deductions are negative. */
export const SALES_COUNTS = {
  sales: 'sales recorded (one per number, service and month)',
  reconciled: 'sales of months reconciled against billing',
  matched: 'reconciled sales billing confirmed: active and paid at the month\'s end',
  awaitingUsage: 'matched sales of a service that earns only once billing shows usage, not used yet',
  unmatched: 'reconciled sales billing did not confirm (not in billing, activated elsewhere first, cancelled before the month\'s end)',
  earnedPoints: 'points earned: matched sales, and sales credited once usage showed',
  complaintPoints: 'points deducted for complaints (negative)',
  clawbackPoints: 'points taken back from sales of closed months cancelled since (negative)',
  adjustmentPoints: 'points of disputes finance accepted',
  budgetPoints: 'points cut or carried by a budget\'s overrun policy (cut: negative; carried in: positive)',
  totalPoints: 'the points of the ledger: the sum of the five above',
  provisionalPoints: 'points the sales of months not reconciled yet earn if billing confirms them (the service\'s points on the sale\'s day)',
} as const;
export type SalesCount = keyof typeof SALES_COUNTS;
export const SALES_COUNT_NAMES = Object.keys(SALES_COUNTS) as SalesCount[];
export type SalesCounts = Record<SalesCount, number>;

export const SALES_RATES = {
  matchRate: 'matched ÷ reconciled sales',
  pointsPerMatchedSale: 'earned points ÷ matched sales',
} as const;
export type SalesRate = keyof typeof SALES_RATES;
export const SALES_RATE_NAMES = Object.keys(SALES_RATES) as SalesRate[];
export type SalesRates = Record<SalesRate, number | null>;

const ratio = (a: number, b: number): number | null => (b > 0 ? Number((a / b).toFixed(4)) : null);

export function salesRates(c: SalesCounts): SalesRates {
  return { matchRate: ratio(c.matched, c.reconciled), pointsPerMatchedSale: ratio(c.earnedPoints, c.matched) };
}

export const emptySalesCounts = (): SalesCounts => Object.fromEntries(SALES_COUNT_NAMES.map((n) => [n, 0])) as SalesCounts;

/** Points add up in cents, so a total of many rows is exact. */
const cents = (n: number) => Math.round(n * 100) / 100;

export function addSalesCounts(into: SalesCounts, c: SalesCounts): SalesCounts {
  for (const n of SALES_COUNT_NAMES) into[n] = cents(into[n] + c[n]);
  return into;
}

/**
 * What a leaderboard or a contest ranks staff by. Both look at the sales made in their period (by
 * the sale's day in the operator's zone): selling is what they reward, so a complaint's deduction
 * or a budget's cut (month-wide ledger rows) is on the statement, not in the standings.
 */
export const STANDING_METRICS = {
  points: 'points the period\'s sales earned (credits, usage credits, clawbacks, accepted disputes), and for sales not reconciled yet their provisional points',
  sales: 'sales recorded in the period',
  'matched-sales': 'sales of the period billing confirmed',
} as const;
export type StandingMetric = keyof typeof STANDING_METRICS;
export const STANDING_METRIC_NAMES = Object.keys(STANDING_METRICS) as StandingMetric[];

/** A staff member's sums over a period's sales. */
export interface StaffSales {
  staffId: string;
  sales: number;
  matched: number;
  points: number;
}

export const standingScore = (metric: StandingMetric, s: StaffSales): number =>
  metric === 'sales' ? s.sales : metric === 'matched-sales' ? s.matched : cents(s.points);

export interface Standing {
  rank: number;
  staffId: string;
  score: number;
}

/**
 * Ranks by score, highest first; equal scores share a rank (competition ranking: 1, 2, 2, 4) and
 * are listed by staff id so the order is stable.
 */
export function rankStandings(scores: ReadonlyArray<{ staffId: string; score: number }>): Standing[] {
  const sorted = [...scores].sort((a, b) => b.score - a.score || (a.staffId < b.staffId ? -1 : a.staffId > b.staffId ? 1 : 0));
  const out: Standing[] = [];
  sorted.forEach((s, i) => {
    const rank = i > 0 && sorted[i - 1]!.score === s.score ? out[i - 1]!.rank : i + 1;
    out.push({ rank, staffId: s.staffId, score: s.score });
  });
  return out;
}

export interface Prize {
  rank: number;
  prize: string;
}

/** Each standing with the prize of its rank, if any (tied staff share their rank's prize). */
export function withPrizes(standings: readonly Standing[], prizes: readonly Prize[]): Array<Standing & { prize: string | null }> {
  const byRank = new Map(prizes.map((p) => [p.rank, p.prize]));
  return standings.map((s) => ({ ...s, prize: byRank.get(s.rank) ?? null }));
}
