// The workflow bundle's entry point: every workflow type the worker runs.
export { campaignWorkflow } from './campaign';
export { orderWorkflow } from './order';
export { deliveryRetryJobWorkflow } from './delivery-retry-job';
