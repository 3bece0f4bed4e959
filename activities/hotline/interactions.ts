import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Channel } from '../../domain/hotline/words';
import type { ReferralRow } from '../../db/hotline/referrals-sql';
import { AgentIdKey, CustomerIdKey, InteractionPhaseKey, TeamKey } from '../../workflows/search-attributes';
import {
  INTERACTION_WORKFLOW, callEndedSignal, interactionWorkflowId, referralCompletedSignal, referredSignal, type InteractionWorkflowInput,
} from '../../workflows/hotline/messages';

/**
 * How the interaction's workflow (workflows/hotline/) is started and told things, as plain
 * functions of the Temporal client: the dialer's webhook starts it when a call is answered and
 * tells it the call ended; a referral starts it if it is not running; the order that completes a
 * referral tells it. Every one is safe to repeat: the workflow applies each message once.
 */

export interface InteractionFacts {
  id: string | number;
  channel: Channel | string;
  customerId: string | number;
  callId?: string | null;
  agentId?: string | null;
  team?: string | null;
  /** The call is under way (a call not yet ended): the workflow waits for its end. */
  callOpen: boolean;
}

const inputOf = (i: InteractionFacts): InteractionWorkflowInput => ({
  interactionId: Number(i.id), channel: i.channel as Channel, customerId: Number(i.customerId), callOpen: i.callOpen,
  ...(i.callId ? { callId: i.callId } : {}), ...(i.agentId ? { agentId: i.agentId } : {}), ...(i.team ? { team: i.team } : {}),
});

const startOptions = (taskQueue: string, i: InteractionFacts) => {
  const input = inputOf(i);
  return {
    workflowId: interactionWorkflowId(input.interactionId),
    taskQueue,
    args: [input] as [InteractionWorkflowInput],
    typedSearchAttributes: [
      { key: CustomerIdKey, value: input.customerId },
      { key: InteractionPhaseKey, value: input.callOpen ? 'call' : 'following-up' },
      ...(input.agentId ? [{ key: AgentIdKey, value: input.agentId }] : []),
      ...(input.team ? [{ key: TeamKey, value: input.team }] : []),
    ],
    staticSummary: `${input.channel === 'call' ? `Call ${input.callId ?? ''}` : `${input.channel} visit`} of customer ${input.customerId}`
      + `${input.agentId ? `, agent ${input.agentId}` : ''} (interaction ${input.interactionId})`,
  };
};

/** Already closed: its work is done and a repeat of what started it asks for nothing new. */
const closedAlready = (err: unknown) => err instanceof WorkflowExecutionAlreadyStartedError;

/** The call was answered: its workflow starts (once; a closed one is not started again). */
export async function startInteraction(client: Client, taskQueue: string, i: InteractionFacts): Promise<void> {
  try {
    await client.workflow.start(INTERACTION_WORKFLOW, {
      ...startOptions(taskQueue, i), workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (!closedAlready(err)) throw err;
  }
}

/** The call ended: told to its workflow, which is started now if the answer never reached us (a closed one heard it before). */
export async function endCall(client: Client, taskQueue: string, i: InteractionFacts, endedAt: string): Promise<void> {
  try {
    await client.workflow.signalWithStart(INTERACTION_WORKFLOW, {
      ...startOptions(taskQueue, { ...i, callOpen: true }), workflowIdReusePolicy: 'REJECT_DUPLICATE',
      signal: callEndedSignal, signalArgs: [{ endedAt }],
    });
  } catch (err) {
    if (!closedAlready(err)) throw err;
  }
}

/**
 * A referral to follow: told to the interaction's workflow, started for it when none runs (a
 * self-service visit has none until it refers; a call's may have closed with the call, and a new
 * run follows the referral).
 */
export async function followReferral(client: Client, taskQueue: string, r: ReferralRow): Promise<void> {
  const callOpen = r.interaction_channel === 'call' && r.call_id !== null && (r.interaction_status === 'queued' || r.interaction_status === 'open');
  await client.workflow.signalWithStart(INTERACTION_WORKFLOW, {
    ...startOptions(taskQueue, {
      id: r.interaction_id, channel: r.interaction_channel, customerId: r.customer_id, callId: r.call_id, agentId: r.agent_id, team: r.team, callOpen,
    }),
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    signal: referredSignal,
    signalArgs: [{ recommendationId: Number(r.recommendation_id), offerCode: r.offer_code, channel: r.channel, expiresAt: r.expires_at.toISOString() }],
  });
}

/** An order completed the referral: its workflow hears it (one that closed meanwhile found it by itself when the window closed). */
export async function referralCompleted(client: Client, r: ReferralRow, orderId: string): Promise<void> {
  try {
    await client.workflow.getHandle(interactionWorkflowId(r.interaction_id))
      .signal(referralCompletedSignal, { recommendationId: Number(r.recommendation_id), orderId });
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}
