/**
 * A dispatcher's bulk delivery retry: one job per idempotency key, so repeating the request finds
 * the job it started (running or finished) instead of retrying the orders a second time.
 */
export const deliveryRetryJobWorkflowId = (jobId: string): string => `delivery-retry-${jobId}`;

/** A job key: safe in a workflow id and a URL path (a UUID fits). */
export const JOB_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
