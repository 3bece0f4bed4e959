import { proxyActivities } from '@temporalio/workflow';
// Types only: the factory's module (pg) never reaches the workflow bundle.
import type { createReportActivities } from '../../activities/reports/funnel';
import type { RollupRun } from './messages';

type Reports = ReturnType<typeof createReportActivities>;

// One transaction recomputing the slices written since the last run; retried while Postgres is away.
const rollups = proxyActivities<Pick<Reports, 'refreshReportRollups'>>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5s', maximumInterval: '1 minute', maximumAttempts: 5 },
  summary: 'bring the report rollups up to date',
});

/** One run of the reports-rollup schedule: brings the report rollups up to date with every committed write. */
export async function reportsRollupWorkflow(): Promise<RollupRun> {
  return rollups.refreshReportRollups();
}
