/**
 * Every id the system derives from a business key, defined once. Workflow ids are built from
 * business ids so that a retried start finds the running workflow instead of making a second one.
 */
export const TASK_QUEUE_DEFAULT = 'telemarketing';

export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

export const campaignWorkflowId = (campaignId: string): string => `campaign-${campaignId}`;

/** One order per (campaign, lead): the id itself makes a second order for the same lead impossible. */
export const orderIdFor = (campaignId: string, leadId: number | string): string => `${campaignId}-l${leadId}`;

export const orderWorkflowId = (orderId: string): string => `order-${orderId}`;
/** An order sold on the follow-up call of another: one per parent order. */
export const followOnOrderId = (parentOrderId: string): string => `${parentOrderId}-r1`;
/** An order from another channel, named by the caller's idempotency key. */
export const apiOrderId = (idempotencyKey: string): string => `api-${idempotencyKey}`;

/** The dialer's call id: one per attempt, so a retried activity re-attaches to the same call. */
export const salesCallId = (campaignId: string, leadId: number | string, attemptNo: number): string =>
  `${campaignId}-l${leadId}-a${attemptNo}`;

export const followUpCallId = (orderId: string, attemptNo: number): string => `${orderId}-f${attemptNo}`;

/** The courier's booking key: one per delivery attempt of an order. */
export const deliveryIdFor = (orderId: string, attemptNo: number): string => `${orderId}-d${attemptNo}`;
/** The pickup of a cancelled order's goods: one per order. */
export const returnIdFor = (orderId: string): string => `${orderId}-return`;

/**
 * A dispatcher's bulk delivery retry: one job per idempotency key, so repeating the request finds
 * the job it started (running or finished) instead of retrying the orders a second time.
 */
export const deliveryRetryJobWorkflowId = (jobId: string): string => `delivery-retry-${jobId}`;

/** A job key: safe in a workflow id and a URL path (a UUID fits). */
export const JOB_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
