import { workflowInfo } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { addMonths, monthAt, monthEndedBefore } from '../../domain/sales-points/month';
import { alerts, budgetWatch, runs } from './activities';
import type { ScheduledSalesPointsInput, StartedRun } from './messages';

/** Set by the Schedule on every workflow it starts: the time the action was due (not when it ran). */
const ScheduledStartTimeKey = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/** When the Schedule meant this run for; a run started by hand (or a trigger) counts from its start. */
const scheduledTime = (): Date => workflowInfo().typedSearchAttributes.get(ScheduledStartTimeKey) ?? workflowInfo().startTime;

/**
 * The `sales-points-monthly` Schedule's action (02:00 on the 1st): starts the run of the month that
 * ended before the scheduled time. A run a person already started through the API is joined, not doubled.
 */
export async function salesPointsMonthlyWorkflow({ timeZone }: ScheduledSalesPointsInput): Promise<StartedRun> {
  return runs.startMonthsRun(monthEndedBefore(scheduledTime(), timeZone));
}

/**
 * The `sales-points-budget-watch` Schedule's action (every 5 minutes): this month's budgets and the
 * last month's (sales of its last days activate in the first days of this one, until it is closed)
 * against their provisional points, alerts at 80% and 100%, then a pass over undelivered alerts.
 */
export async function salesPointsBudgetWatchWorkflow({ timeZone }: ScheduledSalesPointsInput): Promise<{ raised: number; delivered: number; failed: number }> {
  const month = monthAt(scheduledTime(), timeZone);
  const { raised } = await budgetWatch.watchPointsBudgets([month, addMonths(month, -1)]);
  const { delivered, failed } = await alerts.deliverUndeliveredAlerts(100);
  return { raised: raised.length, delivered, failed };
}
