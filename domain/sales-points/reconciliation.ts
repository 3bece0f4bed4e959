import { z } from 'zod';
import { addMonths, type Month } from './month';

/**
 * The month-end reconciliation's rules (docs/sales-points.md, "The month-end reconciliation"):
 * why a sale did not match, what a budget's policy does past the budget, and the rounding that
 * keeps a split's total. The SQL that applies them to 200k sales is db/sales-points/reconcile-sql.ts.
 */

export const UNMATCHED_REASONS = ['not-in-billing', 'cancelled-before-month-end', 'activated-elsewhere-first'] as const;
export type UnmatchedReason = (typeof UNMATCHED_REASONS)[number];
export const UNMATCHED_MEANING: Record<UnmatchedReason, string> = {
  'not-in-billing': 'billing\'s list of the month has no such subscription (number and service)',
  'cancelled-before-month-end': 'billing has it, cancelled on or before the month\'s last day',
  'activated-elsewhere-first': 'billing activated it before the day of this sale, or an earlier month\'s sale of the same number and service already earned it',
};

export const OUTCOMES = ['matched', 'awaiting-usage', 'unmatched'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const LEDGER_KINDS = ['sale', 'usage-credit', 'complaint', 'clawback', 'adjustment', 'budget-cut', 'carried-over', 'carried-in'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];
/** The kinds a budget counts: what the run pays on its own (an adjustment is finance's decision, beyond it). */
export const BUDGETED_KINDS: readonly LedgerKind[] = ['sale', 'usage-credit', 'carried-in'];

export const OVERRUN_POLICIES = ['pay-and-flag', 'pro-rate', 'carry-over'] as const;
export type OverrunPolicy = (typeof OVERRUN_POLICIES)[number];
export const OVERRUN_MEANING: Record<OverrunPolicy, string> = {
  'pay-and-flag': 'pays every point and says by how much the budget is over',
  'pro-rate': 'cuts each staff member\'s points in the scope by the same factor (budget / points), a budget-cut row each',
  'carry-over': 'pays up to the budget and carries the rest, split the same way, into the next month',
};

/** A month's run refused: the month is closed and never changes. */
export class MonthClosed extends Error {
  readonly type = 'MonthClosed';
  constructor(readonly month: Month, why = 'a closed month never changes') {
    super(`sales points month ${month} is closed: ${why}`);
  }
}
/** Closing refused: the month has no reconciliation to approve. */
export class MonthNotReconciled extends Error {
  readonly type = 'MonthNotReconciled';
  constructor(readonly month: Month) {
    super(`sales points month ${month} has not been reconciled; nothing to approve`);
  }
}
/** The import named is not billing's list of this month. */
export class ImportNotOfMonth extends Error {
  readonly type = 'ImportNotOfMonth';
  constructor(readonly importId: number, readonly month: Month, found: string | undefined) {
    super(found ? `billing import ${importId} is of ${found}, not ${month}` : `billing import ${importId} does not exist`);
  }
}

export const BudgetOver = z.object({
  scopeKind: z.enum(['area', 'department']), scopeCode: z.string(), policy: z.enum(OVERRUN_POLICIES),
  budget: z.number(), credits: z.number(), overBy: z.number(),
  carried: z.number().describe('Points carried into the next month (carry-over), else 0'),
  cut: z.number().describe('Points cut (pro-rate), else 0'),
  note: z.string(),
});
export type BudgetOver = z.infer<typeof BudgetOver>;

/** What a run found and wrote: the run's answer and `sales_point_runs.totals`. */
export const RunTotals = z.object({
  month: z.string(),
  importId: z.number(),
  entries: z.number(),
  matched: z.number(),
  awaitingUsage: z.number(),
  unmatched: z.object(Object.fromEntries(UNMATCHED_REASONS.map((r) => [r, z.number()])) as Record<UnmatchedReason, z.ZodNumber>),
  points: z.object(Object.fromEntries(LEDGER_KINDS.map((k) => [k, z.number()])) as Record<LedgerKind, z.ZodNumber>)
    .describe('The month\'s ledger by kind (adjustments accepted from disputes and points carried in from the month before included)'),
  totalPoints: z.number(),
  staff: z.number().describe('Staff members with a ledger row in the month'),
  budgetsOver: z.array(BudgetOver),
});
export type RunTotals = z.infer<typeof RunTotals>;

/** Hundredths, exactly: points are numeric(12,2) in Postgres and text through pg. */
export const toCents = (points: string | number): number => Math.round(Number(points) * 100);
export const fromCents = (cents: number): number => cents / 100;

/**
 * Splits `total` (cents) across `weights` (cents) in proportion, whole cents each, the parts adding
 * up to `total` exactly (largest remainder: the cents lost to rounding go to the largest
 * fractions, ties to the earlier weight). All-zero weights: nothing to split by, all zeros unless total is 0.
 */
export function splitProRata(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) {
    if (total !== 0) throw new Error('splitProRata: nothing to split by');
    return weights.map(() => 0);
  }
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, frac: e - Math.floor(e) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i]! += 1;
    left -= 1;
  }
  return parts;
}

export interface ScopeCredits {
  scopeKind: 'area' | 'department';
  scopeCode: string;
  budget: number;            // cents
  policy: OverrunPolicy;
  /** Each staff member's budgeted credits in the scope, cents. */
  staff: { staffId: string; credits: number }[];
}
export interface BudgetRow { staffId: string; kind: 'budget-cut' | 'carried-over' | 'carried-in'; cents: number; month: Month }

/**
 * A scope's budget applied to its credits: nothing when within it; past it, the policy's rows
 * (cents, negative for cuts and carries out) and the flag the run's totals and statements show.
 * `nextMonthClosed`: carry-over has nowhere to go, so the month pays in full (flagged as such).
 */
export function applyBudget(scope: ScopeCredits, month: Month, nextMonthClosed: boolean): { rows: BudgetRow[]; over: BudgetOver } | undefined {
  const credits = scope.staff.reduce((a, s) => a + s.credits, 0);
  if (credits <= scope.budget) return undefined;
  const overBy = credits - scope.budget;
  const base = { scopeKind: scope.scopeKind, scopeCode: scope.scopeCode, policy: scope.policy, budget: fromCents(scope.budget), credits: fromCents(credits), overBy: fromCents(overBy) };
  const staff = [...scope.staff].sort((a, b) => (a.staffId < b.staffId ? -1 : a.staffId > b.staffId ? 1 : 0));
  const scopeText = `${scope.scopeKind} ${scope.scopeCode}`;
  if (scope.policy === 'pay-and-flag' || (scope.policy === 'carry-over' && nextMonthClosed)) {
    const note = scope.policy === 'pay-and-flag'
      ? `${scopeText}: ${fromCents(credits)} points against a budget of ${fromCents(scope.budget)}, over by ${fromCents(overBy)}; paid in full (pay-and-flag)`
      : `${scopeText}: over by ${fromCents(overBy)}; carry-over, but ${addMonths(month, 1)} is closed, so paid in full this month`;
    return { rows: [], over: { ...base, carried: 0, cut: 0, note } };
  }
  const parts = splitProRata(overBy, staff.map((s) => s.credits));
  const rows: BudgetRow[] = [];
  staff.forEach((s, i) => {
    const cents = parts[i]!;
    if (cents === 0) return;
    if (scope.policy === 'pro-rate') rows.push({ staffId: s.staffId, kind: 'budget-cut', cents: -cents, month });
    else {
      rows.push({ staffId: s.staffId, kind: 'carried-over', cents: -cents, month });
      rows.push({ staffId: s.staffId, kind: 'carried-in', cents, month: addMonths(month, 1) });
    }
  });
  const factor = (scope.budget / credits).toFixed(4);
  const note = scope.policy === 'pro-rate'
    ? `${scopeText}: ${fromCents(credits)} points against a budget of ${fromCents(scope.budget)}; each staff member's points cut by the factor ${factor} (pro-rate), ${fromCents(overBy)} in all`
    : `${scopeText}: ${fromCents(credits)} points against a budget of ${fromCents(scope.budget)}; ${fromCents(overBy)} carried into ${addMonths(month, 1)} (carry-over)`;
  return { rows, over: { ...base, carried: scope.policy === 'carry-over' ? fromCents(overBy) : 0, cut: scope.policy === 'pro-rate' ? fromCents(overBy) : 0, note } };
}

/** A budget row's reason, as the statement shows it. */
export function budgetRowReason(row: BudgetRow, over: BudgetOver, month: Month): string {
  const points = fromCents(Math.abs(row.cents));
  if (row.kind === 'budget-cut') return `budget of ${over.scopeKind} ${over.scopeCode} for ${month} exceeded by ${over.overBy}: ${points} points cut (pro-rate, factor ${(over.budget / over.credits).toFixed(4)})`;
  if (row.kind === 'carried-over') return `budget of ${over.scopeKind} ${over.scopeCode} for ${month} exceeded by ${over.overBy}: ${points} points carried over to ${addMonths(month, 1)}`;
  return `${points} points carried in from ${month} (budget of ${over.scopeKind} ${over.scopeCode} exceeded there)`;
}

/** The first month after `month` that is not closed: where an accepted dispute is credited. */
export function nextOpenMonth(month: Month, closed: ReadonlySet<Month>): Month {
  let m = addMonths(month, 1);
  while (closed.has(m)) m = addMonths(m, 1);
  return m;
}

/** What a staff member is paid for a closed month: nothing for a total of zero or less (see docs). */
export function payoutYuan(points: number, yuanPerPoint: number): number {
  if (points <= 0) return 0;
  // in hundredths of a point times ten-thousandths of a yuan (the columns' scales): exact integers
  return Math.round((toCents(points) * Math.round(yuanPerPoint * 10_000)) / 10_000) / 100;
}
