// The workflow bundle's entry point: every workflow type the worker runs.
//
// The SDK keeps workflows apart: each one in the worker's cache evaluates its own copy of every
// module the entry point imports. Orders are cached by the hundred, so this file imports only what
// the order workflow needs, which is zod-free (test/unit/workflow-imports.test.ts holds it so). The
// campaign and bulk-retry workflows evaluate zod (update validators, domain modules); their modules are
// evaluated only in those workflows, by an eager import(): webpack keeps them in the one bundle
// file (no chunk to load) and runs them at the call, in the same workflow task.
import type * as Campaign from './campaign/workflow';
import type * as DeliveryRetryJob from './dispatch/workflow';

export { orderWorkflow } from './order/workflow';
export { reportsRollupWorkflow } from './reports/workflow';

export async function campaignWorkflow(...args: Parameters<typeof Campaign.campaignWorkflow>): ReturnType<typeof Campaign.campaignWorkflow> {
  const { campaignWorkflow: run } = await import(/* webpackMode: "eager" */ './campaign/workflow');
  return run(...args);
}

export async function deliveryRetryJobWorkflow(...args: Parameters<typeof DeliveryRetryJob.deliveryRetryJobWorkflow>): ReturnType<typeof DeliveryRetryJob.deliveryRetryJobWorkflow> {
  const { deliveryRetryJobWorkflow: run } = await import(/* webpackMode: "eager" */ './dispatch/workflow');
  return run(...args);
}
