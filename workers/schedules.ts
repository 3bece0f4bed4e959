import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { REPORTS_ROLLUP_EVERY, REPORTS_ROLLUP_SCHEDULE_ID } from '../workflows/reports/messages';
import { REFERRAL_SWEEP_EVERY, REFERRAL_SWEEP_SCHEDULE_ID, REFERRAL_SWEEP_WORKFLOW } from '../workflows/hotline/messages';
import {
  BUDGET_WATCH_EVERY, SALES_POINTS_BUDGET_WATCH_SCHEDULE_ID, SALES_POINTS_BUDGET_WATCH_WORKFLOW, SALES_POINTS_MONTHLY_SCHEDULE_ID,
  SALES_POINTS_MONTHLY_WORKFLOW, type ScheduledSalesPointsInput,
} from '../workflows/sales-points/messages';

export interface ScheduleSetup {
  taskQueue: string;
  /** OPERATOR_TIME_ZONE: the month-end run is due at 02:00 on the 1st in it, and months are counted in it. */
  timeZone: string;
  /** Put before every schedule's id: tests make their own schedules beside the real ones. */
  idPrefix?: string;
}

/** The periodic work, each Schedule as it is made the first time. */
export function scheduleDefinitions({ taskQueue, timeZone, idPrefix = '' }: ScheduleSetup): ScheduleOptions[] {
  const zone: ScheduledSalesPointsInput = { timeZone };
  const id = (name: string) => `${idPrefix}${name}`;
  return [
    {
      scheduleId: id(REPORTS_ROLLUP_SCHEDULE_ID),
      spec: { intervals: [{ every: REPORTS_ROLLUP_EVERY }] },
      action: { type: 'startWorkflow', workflowType: 'reportsRollupWorkflow', workflowId: id(REPORTS_ROLLUP_SCHEDULE_ID), taskQueue, args: [] },
      // A run still going when the next is due: the next is skipped, not queued behind it.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
      state: { note: 'brings the report rollups up to date (docs/reports.md)' },
    },
    {
      scheduleId: id(SALES_POINTS_MONTHLY_SCHEDULE_ID),
      // At 02:00 on the 1st in the operator's zone: billing's list of the month before is final by then.
      spec: { calendars: [{ dayOfMonth: 1, hour: 2, minute: 0, second: 0, comment: "the month-end run of the month that ended" }], timezone: timeZone },
      action: { type: 'startWorkflow', workflowType: SALES_POINTS_MONTHLY_WORKFLOW, workflowId: id(SALES_POINTS_MONTHLY_SCHEDULE_ID), taskQueue, args: [zone] },
      // Temporal away over the 1st: the run is still started when it is back within 3 days; the
      // month's run itself is one per month whatever starts it, so a late or repeated action is harmless.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '3 days' },
      state: { note: 'starts the sales-points run of the month that ended (docs/sales-points.md)' },
    },
    {
      scheduleId: id(SALES_POINTS_BUDGET_WATCH_SCHEDULE_ID),
      spec: { intervals: [{ every: BUDGET_WATCH_EVERY }] },
      action: { type: 'startWorkflow', workflowType: SALES_POINTS_BUDGET_WATCH_WORKFLOW, workflowId: id(SALES_POINTS_BUDGET_WATCH_SCHEDULE_ID), taskQueue, args: [zone] },
      // A missed pass is made up by the next one: it reads the month as it is then.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '5 minutes' },
      state: { note: 'points budgets: alerts at 80% and 100% of provisional points; delivers undelivered alerts (docs/sales-points.md)' },
    },
    {
      scheduleId: id(REFERRAL_SWEEP_SCHEDULE_ID),
      spec: { intervals: [{ every: REFERRAL_SWEEP_EVERY }] },
      action: { type: 'startWorkflow', workflowType: REFERRAL_SWEEP_WORKFLOW, workflowId: id(REFERRAL_SWEEP_SCHEDULE_ID), taskQueue, args: [] },
      // A missed pass is made up by the next one: it reads the open referrals as they are then.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' },
      state: { note: 'hotline referrals: expires the ones past their window, follows again those with no running workflow (docs/hotline.md)' },
    },
  ];
}

/**
 * The periodic work, as Temporal Schedules (seen and paused in the UI's Schedules page): made
 * once by the first worker that starts; a schedule that exists is left as it is (an operator may
 * have paused it, or changed it).
 */
export async function ensureSchedules(client: Client, setup: ScheduleSetup): Promise<void> {
  for (const definition of scheduleDefinitions(setup)) {
    try {
      await client.schedule.create(definition);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
  }
}

/**
 * ensureSchedules without holding the worker up: a Temporal that refuses the schedules now (briefly
 * down, no permission) must not stop orders being worked. Retried with backoff until they are
 * made; each failure is logged.
 */
export function ensureSchedulesInBackground(client: Client, setup: ScheduleSetup, log: (msg: string) => void = console.warn): void {
  const attempt = (delayMs: number) => {
    ensureSchedules(client, setup).catch((err: unknown) => {
      log(`the schedules could not be made (${(err as Error).message}); retrying in ${delayMs / 1000} s`);
      setTimeout(() => attempt(Math.min(delayMs * 2, 300_000)), delayMs).unref();
    });
  };
  attempt(5_000);
}
