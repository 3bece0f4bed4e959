/**
 * The order's ids, each derived from a business key. Workflow ids are built from business ids so
 * that a retried start finds the running workflow instead of making a second one.
 */

/** One order per (campaign, lead): the id itself makes a second order for the same lead impossible. */
export const orderIdFor = (campaignId: string, leadId: number | string): string => `${campaignId}-l${leadId}`;

export const orderWorkflowId = (orderId: string): string => `order-${orderId}`;
/** An order sold on the follow-up call of another: one per parent order. */
export const followOnOrderId = (parentOrderId: string): string => `${parentOrderId}-r1`;
/** An order from another channel, named by the caller's idempotency key. */
export const apiOrderId = (idempotencyKey: string): string => `api-${idempotencyKey}`;

export const followUpCallId = (orderId: string, attemptNo: number): string => `${orderId}-f${attemptNo}`;

/** The courier's booking key: one per delivery attempt of an order. */
export const deliveryIdFor = (orderId: string, attemptNo: number): string => `${orderId}-d${attemptNo}`;
/** The pickup of a cancelled order's goods: one per order. */
export const returnIdFor = (orderId: string): string => `${orderId}-return`;
