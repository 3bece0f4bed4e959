/** The hotline's workflow ids, from business ids: a retried start finds the workflow it started. */

/** One interaction, one workflow: the call while it lasts and its referrals until each is resolved. */
export const interactionWorkflowId = (interactionId: number | string): string => `hotline-interaction-${interactionId}`;
