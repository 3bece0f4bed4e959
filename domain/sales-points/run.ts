import { monthAt, type Month } from './month';
import type { RunTotals } from './reconciliation';

/**
 * The month-end run's rules (docs/sales-points.md, The run on Temporal): which months can be run,
 * when an unapproved month escalates, and the alerts' subjects and levels.
 */

/** A month can be reconciled once it has ended in the operator's time zone: billing's list is then final. */
export const monthHasEnded = (month: Month, now: Date, timeZone: string): boolean => month < monthAt(now, timeZone);

/** After the first escalation, finance is reminded once a day until somebody approves. */
export const ESCALATION_REPEAT_SECONDS = 86_400;

/**
 * The n-th escalation (0 first) of a month nobody approved: due `escalateAfterSeconds` after the
 * run began waiting, then every day. Each has its own level, so each is an alert of its own
 * (alerts are raised once per kind, subject and level).
 */
export function approvalEscalation(n: number, escalateAfterSeconds: number): { level: string; dueAfterSeconds: number } {
  return {
    level: n === 0 ? 'overdue' : `overdue-day-${n + 1}`,
    dueAfterSeconds: escalateAfterSeconds + n * ESCALATION_REPEAT_SECONDS,
  };
}

/** The kind of the alert a month waiting too long for approval raises; its subject is the month. */
export const APPROVAL_ALERT_KIND = 'sales-points-approval';

/** 1234567 → "1,234,567" (no Intl: the same text wherever it runs). */
export function groupDigits(n: number): string {
  const [whole, fraction] = String(Math.round(n * 100) / 100).split('.') as [string, string | undefined];
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction ? `.${fraction}` : ''}`;
}

/** "12,345 points for 321 staff": what a person reads first of a month's totals. */
export const describeTotals = (t: Pick<RunTotals, 'totalPoints' | 'staff'>): string => `${groupDigits(t.totalPoints)} points for ${groupDigits(t.staff)} staff`;

/** The points-budget alert levels: the share of the budget the month's provisional points reached. */
export const BUDGET_ALERT_LEVELS = [
  { level: '80%', share: 0.8 },
  { level: '100%', share: 1 },
] as const;

/** The kind of a budget's alerts; the subject names the month and the scope: `2026-11/area/north`. */
export const BUDGET_ALERT_KIND = 'points-budget';
export const budgetAlertSubject = (month: Month, scopeKind: string, scopeCode: string): string => `${month}/${scopeKind}/${scopeCode}`;
