/**
 * The campaign's ids, each derived from a business key. The workflow id is built from the
 * campaign's id so that a retried start finds the running workflow instead of making a second one.
 */
export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

export const campaignWorkflowId = (campaignId: string): string => `campaign-${campaignId}`;

/** The dialer's call id: one per attempt, so a retried activity re-attaches to the same call. */
export const salesCallId = (campaignId: string, leadId: number | string, attemptNo: number): string =>
  `${campaignId}-l${leadId}-a${attemptNo}`;
