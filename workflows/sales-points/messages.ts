import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../../domain/access/roles';
import type { Month } from '../../domain/sales-points/month';
import type { RunTotals } from '../../domain/sales-points/reconciliation';

// What clients may ask of a month's run: the one workflow module the API and activities import.

/** One run per month: `sales-points-2026-11`. */
export const salesPointsRunWorkflowId = (month: Month): string => `sales-points-${month}`;
export const SALES_POINTS_RUN_WORKFLOW = 'salesPointsRunWorkflow';

/** The Schedules (workers/schedules.ts) and the workflow types their actions start. */
export const SALES_POINTS_MONTHLY_SCHEDULE_ID = 'sales-points-monthly';
export const SALES_POINTS_MONTHLY_WORKFLOW = 'salesPointsMonthlyWorkflow';
export const SALES_POINTS_BUDGET_WATCH_SCHEDULE_ID = 'sales-points-budget-watch';
export const SALES_POINTS_BUDGET_WATCH_WORKFLOW = 'salesPointsBudgetWatchWorkflow';
/** How often provisional points are held against the budgets. */
export const BUDGET_WATCH_EVERY = '5 minutes';

export interface SalesPointsRunInput {
  month: Month;
}

/** The scheduled workflows' input: the zone their months are counted in, fixed in the Schedule's action. */
export interface ScheduledSalesPointsInput {
  timeZone: string;
}

/** Where the run is: importing billing's list, reconciling, waiting for finance, closing, closed. */
export type RunPhase = 'importing' | 'reconciling' | 'awaiting-approval' | 'closing' | 'closed';

/** What a person needs to know of a month's run (the `run` query; the workflow's result once closed). */
export interface SalesPointsRunView {
  month: Month;
  phase: RunPhase;
  /** The billing import the totals come from, and whether a person uploaded it or the BSS exported it. */
  importId: number | null;
  importRows: number | null;
  importSource: 'upload' | 'bss-export' | null;
  totals: RunTotals | null;
  startedAt: string;
  /** Since when it waits for finance's approval (the first reconciliation's end). */
  waitingSince: string | null;
  /** The first escalation (an alert), and how many there were (the first, then one a day). */
  escalatedAt: string | null;
  escalations: number;
  /** Times finance had the month imported and reconciled again. */
  recomputes: number;
  approvedBy: Actor | null;
  approvedAt: string | null;
  /** Why the last recompute's pass failed for good (a refused file, say), when it did: the totals are the pass's before. */
  lastPassError?: string | null;
}

export const salesPointsRunQuery = defineQuery<SalesPointsRunView>('run');
/** Finance approves the month: it is closed, and answers once closed. Refused before reconciliation is done. */
export const approveSalesPointsUpdate = defineUpdate<SalesPointsRunView, [{ by: Actor }]>('approve');
/** Finance has the month imported and reconciled again (a corrected file uploaded); answers once done. Refused once approved. */
export const recomputeSalesPointsUpdate = defineUpdate<SalesPointsRunView, [{ by: Actor }]>('recompute');

/**
 * The month before was reconciled (again): its awaiting-usage sales and its credits, which this
 * month's run reads, may have changed, so this month is reconciled again before finance may
 * approve it. Sent by the earlier month's run; a closed month ignores it.
 */
export const earlierMonthReconciledSignal = defineSignal<[{ month: Month }]>('earlierMonthReconciled');

/** What starting a month's run found: started now, or the run that was already there (running or closed). */
export interface StartedRun {
  month: Month;
  workflowId: string;
  started: boolean;
}
