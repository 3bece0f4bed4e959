import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { REPORTS_ROLLUP_EVERY, REPORTS_ROLLUP_SCHEDULE_ID } from '../workflows/reports/messages';

/**
 * The periodic work, as Temporal Schedules (seen and paused in the UI's Schedules page): made
 * once by the first worker that starts; a schedule that exists is left as it is (an operator may
 * have paused it).
 */
export async function ensureSchedules(client: Client, taskQueue: string, scheduleId = REPORTS_ROLLUP_SCHEDULE_ID): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: REPORTS_ROLLUP_EVERY }] },
      action: { type: 'startWorkflow', workflowType: 'reportsRollupWorkflow', workflowId: scheduleId, taskQueue, args: [] },
      // A run still going when the next is due: the next is skipped, not queued behind it.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
      state: { note: 'brings the report rollups up to date (docs/reports.md)' },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
}

/**
 * ensureSchedules without holding the worker up: the schedule only keeps reports quick, so a
 * Temporal that refuses it now (briefly down, no permission) must not stop orders being worked.
 * Retried with backoff until it is made; each failure is logged.
 */
export function ensureSchedulesInBackground(client: Client, taskQueue: string, log: (msg: string) => void = console.warn): void {
  const attempt = (delayMs: number) => {
    ensureSchedules(client, taskQueue).catch((err: unknown) => {
      log(`the reports-rollup schedule could not be made (${(err as Error).message}); retrying in ${delayMs / 1000} s`);
      setTimeout(() => attempt(Math.min(delayMs * 2, 300_000)), delayMs).unref();
    });
  };
  attempt(5_000);
}
