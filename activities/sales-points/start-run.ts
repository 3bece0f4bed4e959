import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Month } from '../../domain/sales-points/month';
import {
  SALES_POINTS_RUN_WORKFLOW, salesPointsRunWorkflowId, type SalesPointsRunInput, type StartedRun,
} from '../../workflows/sales-points/messages';

/**
 * Starts a month's run unless it has one: a running run is joined (USE_EXISTING), a closed one is
 * not started again (a completed run blocks its id; a failed or terminated one may be started
 * anew). Whether this call started it is told by a token of its own in the run's memo, so two
 * callers racing (the Schedule and a person) learn the truth each.
 */
export async function startSalesPointsRun(client: Client, taskQueue: string, month: Month): Promise<StartedRun> {
  const workflowId = salesPointsRunWorkflowId(month);
  const startToken = randomUUID();
  const input: SalesPointsRunInput = { month };
  try {
    await client.workflow.start(SALES_POINTS_RUN_WORKFLOW, {
      workflowId,
      taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      memo: { startToken },
      staticSummary: `Sales points ${month}`,
      staticDetails: `The month-end reconciliation of ${month}: billing's list imported, matched against the month's sales, `
        + 'then finance approves and the month is closed (docs/sales-points.md).',
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return { month, workflowId, started: false };
  }
  const d = await client.workflow.getHandle(workflowId).describe();
  return { month, workflowId, started: (d.memo as { startToken?: string } | undefined)?.startToken === startToken };
}
