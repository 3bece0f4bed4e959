/**
 * The interaction workflow's face to the outside (docs/hotline.md, "The interaction workflow"): its
 * input, the signals the API sends it, the query, their types. The only module of
 * workflows/hotline that api/ and activities/ import. Ids and codes only: no number, no name.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Channel, SelfServiceChannel } from '../../domain/hotline/words';

export { interactionWorkflowId } from '../../domain/hotline/ids';

export const INTERACTION_WORKFLOW = 'hotlineInteractionWorkflow';

/** The Schedule (workers/schedules.ts) that sweeps open referrals, and the workflow its action starts. */
export const REFERRAL_SWEEP_SCHEDULE_ID = 'hotline-referral-sweep';
export const REFERRAL_SWEEP_WORKFLOW = 'hotlineReferralSweepWorkflow';
export const REFERRAL_SWEEP_EVERY = '10 minutes';

export interface InteractionWorkflowInput {
  interactionId: number;
  channel: Channel;
  customerId: number;
  /** A call under way: the workflow waits for `ended`. False for a self-service visit, or a call already over. */
  callOpen: boolean;
  callId?: string;
  agentId?: string;
  team?: string;
  /** A call not reported ended within this many hours of the start is taken as over (its end was lost). Default 24. */
  callEndWaitHours?: number;
}

/** The dialer reported the call's end. */
export interface CallEndedMessage {
  endedAt: string;
}

/** A recommendation of the interaction was referred to a self-service channel: it waits until `expiresAt` for the order. */
export interface ReferralMessage {
  recommendationId: number;
  offerCode: string;
  channel: SelfServiceChannel;
  /** When the window closes (ISO), as Postgres recorded it with the referral. */
  expiresAt: string;
}

/** The customer ordered in the channel: the referral is completed by this order. */
export interface ReferralCompletedMessage {
  recommendationId: number;
  orderId: string;
}

export type ReferralStatus = 'open' | 'completed' | 'expired';

export interface ReferralView {
  recommendationId: number;
  /** Unknown when the completion was heard before the referral itself. */
  offerCode?: string;
  channel?: SelfServiceChannel;
  expiresAt?: string;
  status: ReferralStatus;
  orderId?: string;
}

/** Where the interaction stands: the call, the referrals waiting for their order, done. */
export type InteractionPhase = 'call' | 'following-up' | 'done';

export interface InteractionView {
  interactionId: number;
  channel: Channel;
  phase: InteractionPhase;
  callOpen: boolean;
  endedAt?: string;
  /** The call's end never came: taken as over after callEndWaitHours. */
  endAssumed?: boolean;
  referrals: ReferralView[];
  /** In words: what the workflow waits for now. */
  waitingFor: string;
}

export const callEndedSignal = defineSignal<[CallEndedMessage]>('ended');
export const referredSignal = defineSignal<[ReferralMessage]>('referred');
export const referralCompletedSignal = defineSignal<[ReferralCompletedMessage]>('referralCompleted');
export const interactionQuery = defineQuery<InteractionView>('interaction');
