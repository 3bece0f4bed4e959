import type { ContactCap, OrderPolicy } from '../campaign/campaign';
import { CONTACT_CAP_DEFAULT } from '../campaign/definition';
import { DEFAULT_WINDOW, type CallingWindow } from '../campaign/window-time';

/**
 * A follow-up call is a call like a sales call: it keeps to the customer's local calling window and
 * is checked at the moment of dialing; one that offers something (the policy's followUpOffer) is a
 * marketing call, checked against the contact cap and counted by it. Zod-free, for the order workflow.
 */

/** What the order knows of its campaign and customer for the follow-up (the followUpRules activity). */
export interface FollowUpContext {
  /** The customer's time zone (their region's): the window is read in it, as the check reads it. */
  timeZone: string;
  /** The campaign's calling window and cap as launched; none for orders of no campaign. */
  campaignWindow?: CallingWindow;
  campaignContactCap?: ContactCap;
}

export interface FollowUpCallRules {
  window: CallingWindow;
  timeZone: string;
  /** A follow-up that offers something: a marketing call. */
  offers: boolean;
  /** The cap it is checked against (offering follow-ups only). */
  contactCap?: ContactCap;
}

/**
 * The rules of an order's follow-up calls: the policy's own window, else the campaign's, else the
 * default (08:00-21:00); the campaign's cap (4 in 30 days for orders of no campaign) when it offers.
 */
export function followUpCallRules(policy: Pick<OrderPolicy, 'followUpWindow' | 'followUpOffer'>, context: FollowUpContext): FollowUpCallRules {
  const offers = policy.followUpOffer !== undefined;
  return {
    window: policy.followUpWindow ?? context.campaignWindow ?? DEFAULT_WINDOW,
    timeZone: context.timeZone,
    offers,
    ...(offers ? { contactCap: context.campaignContactCap ?? CONTACT_CAP_DEFAULT } : {}),
  };
}
