/**
 * Hotline marketing's words (seed 003), as plain data: the workflows and the API share them, and
 * nothing here needs zod.
 */

/** Where a customer meets an offer: on a call with an agent, or in a self-service channel. */
export const CHANNELS = ['call', 'ivr', 'sms', 'app', 'web'] as const;
export type Channel = (typeof CHANNELS)[number];

/** IVR, the SMS hall (短厅), the mobile app (掌厅), the web hall (网厅): where a customer may be referred to. */
export const SELF_SERVICE_CHANNELS = ['ivr', 'sms', 'app', 'web'] as const;
export type SelfServiceChannel = (typeof SELF_SERVICE_CHANNELS)[number];
export const isSelfServiceChannel = (c: string | undefined): c is SelfServiceChannel => (SELF_SERVICE_CHANNELS as readonly string[]).includes(c ?? '');

/** Why a customer called. */
export const CALL_REASONS = ['bill-query', 'plan-question', 'fault', 'complaint', 'other'] as const;
export type CallReason = (typeof CALL_REASONS)[number];

/**
 * The four kinds of hotline marketing (seed 003): service (服务营销: the customer asks for it),
 * cross-selling (交叉营销: it solves the problem the customer called about), precision (精准营销:
 * CRM-driven, a running campaign's segment), active (主动营销: a key product the agent proposes).
 */
export const KINDS = ['service', 'cross-sell', 'precision', 'active'] as const;
export type Kind = (typeof KINDS)[number];

/** What became of a recommendation: presented, then one decision. */
export const OUTCOMES = ['presented', 'accepted', 'referred', 'refused', 'not-now'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export type Decision = Exclude<Outcome, 'presented'>;
export const isDecision = (o: Outcome): o is Decision => o !== 'presented';

/**
 * What became of a referral, recorded as an outcome of its recommendation after the decision (by
 * the system, never sent by a person): the customer ordered in the channel within the window
 * (`completed`, with the order), or did not (`expired`).
 */
export const FOLLOW_THROUGH = ['completed', 'expired'] as const;
export type FollowThrough = (typeof FOLLOW_THROUGH)[number];

/** An interaction's states: waiting for an agent, under way, over, or left by the caller first. */
export const INTERACTION_STATUSES = ['queued', 'open', 'ended', 'abandoned'] as const;
export type InteractionStatus = (typeof INTERACTION_STATUSES)[number];

/** A brand code, or '*' for a script or lever that holds for every brand or region. */
export const ANY = '*';

/** Settings of the decisioning (hotline_settings; docs/hotline.md#settings), their defaults as plain data. */
export interface HotlineSettings {
  /** No offer again for this many days after the customer refused it (N). */
  refusalQuietDays: number;
  /** At most this many recommendations per customer in any 7 days, over all channels (M). */
  weeklyCap: number;
  /** Up to this many offers per interaction (1 to 3). */
  maxOffers: number;
  /** The acceptance rate an offer starts at before any outcome (the Beta prior's mean). */
  priorRate: number;
  /** How many presentations the prior weighs as (the Beta prior's strength). */
  priorWeight: number;
  /** How long a referral waits for the customer's order in its channel, in seconds (a week). */
  referralWindowSeconds: number;
}

export const HOTLINE_SETTINGS_DEFAULTS: HotlineSettings = {
  refusalQuietDays: 30, weeklyCap: 5, maxOffers: 3, priorRate: 0.1, priorWeight: 20, referralWindowSeconds: 7 * 86_400,
};

/** The window the weekly cap counts over. */
export const CAP_WINDOW_DAYS = 7;
