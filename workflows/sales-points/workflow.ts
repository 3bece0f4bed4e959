import { allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import { reconciliation } from './activities';
import {
  approveSalesPointsUpdate, earlierMonthReconciledSignal, recomputeSalesPointsUpdate, salesPointsRunQuery,
  type SalesPointsRunInput, type SalesPointsRunView,
} from './messages';
import { awaitDecision, computeTotals, refuseIfStale } from './phases';
import { SalesPointsRun } from './run-state';

/**
 * A month's reconciliation (docs/sales-points.md, The run on Temporal): billing's list imported,
 * matched against the month's sales, finance's approval awaited (escalating when nobody decides),
 * and the month closed. Its id is the month's (`sales-points-2026-11`): one run per month.
 */
export async function salesPointsRunWorkflow({ month }: SalesPointsRunInput): Promise<SalesPointsRunView> {
  const run = new SalesPointsRun(month, new Date().toISOString());
  setHandler(salesPointsRunQuery, () => run.view());
  setHandler(approveSalesPointsUpdate, async (req) => {
    await refuseIfStale(run);
    return run.approve(req.by);
  }, { validator: (req) => run.checkApproval(req) });
  setHandler(recomputeSalesPointsUpdate, (req) => run.recompute(req.by), { validator: (req) => run.checkRecompute(req) });
  setHandler(earlierMonthReconciledSignal, ({ month: earlier }) => run.earlierMonthReconciled(earlier));
  run.show();

  await computeTotals(run);
  while (run.approvedBy === null) {
    await awaitDecision(run);
    if (run.recomputePending) await computeTotals(run);
  }

  run.phase = 'closing';
  run.show();
  await reconciliation.closeSalesMonth(month, run.approvedBy.sub);
  run.phase = 'closed';
  run.show();
  await condition(allHandlersFinished);
  return run.view();
}
