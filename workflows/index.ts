// The workflow bundle's entry point: every workflow type the worker runs.
//
// The SDK keeps workflows apart: each one in the worker's cache evaluates its own copy of every
// module the entry point imports. Orders are cached by the hundred, so this file imports only what
// the order workflow needs, which is zod-free (test/unit/workflow-imports.test.ts holds it so). The
// campaign, bulk-retry and sales-points workflows evaluate zod (update validators, domain modules); their modules are
// evaluated only in those workflows, by an eager import(): webpack keeps them in the one bundle
// file (no chunk to load) and runs them at the call, in the same workflow task.
import type * as Campaign from './campaign/workflow';
import type * as DeliveryRetryJob from './dispatch/workflow';
import type * as SalesPoints from './sales-points/workflow';
import type * as SalesPointsScheduled from './sales-points/scheduled';

export { orderWorkflow } from './order/workflow';
export { reportsRollupWorkflow } from './reports/workflow';
export { hotlineInteractionWorkflow } from './hotline/workflow';
export { hotlineReferralSweepWorkflow } from './hotline/sweep';

export async function campaignWorkflow(...args: Parameters<typeof Campaign.campaignWorkflow>): ReturnType<typeof Campaign.campaignWorkflow> {
  const { campaignWorkflow: run } = await import(/* webpackMode: "eager" */ './campaign/workflow');
  return run(...args);
}

export async function deliveryRetryJobWorkflow(...args: Parameters<typeof DeliveryRetryJob.deliveryRetryJobWorkflow>): ReturnType<typeof DeliveryRetryJob.deliveryRetryJobWorkflow> {
  const { deliveryRetryJobWorkflow: run } = await import(/* webpackMode: "eager" */ './dispatch/workflow');
  return run(...args);
}

export async function salesPointsRunWorkflow(...args: Parameters<typeof SalesPoints.salesPointsRunWorkflow>): ReturnType<typeof SalesPoints.salesPointsRunWorkflow> {
  const { salesPointsRunWorkflow: run } = await import(/* webpackMode: "eager" */ './sales-points/workflow');
  return run(...args);
}

export async function salesPointsMonthlyWorkflow(...args: Parameters<typeof SalesPointsScheduled.salesPointsMonthlyWorkflow>): ReturnType<typeof SalesPointsScheduled.salesPointsMonthlyWorkflow> {
  const { salesPointsMonthlyWorkflow: run } = await import(/* webpackMode: "eager" */ './sales-points/scheduled');
  return run(...args);
}

export async function salesPointsBudgetWatchWorkflow(...args: Parameters<typeof SalesPointsScheduled.salesPointsBudgetWatchWorkflow>): ReturnType<typeof SalesPointsScheduled.salesPointsBudgetWatchWorkflow> {
  const { salesPointsBudgetWatchWorkflow: run } = await import(/* webpackMode: "eager" */ './sales-points/scheduled');
  return run(...args);
}
