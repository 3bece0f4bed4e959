import type { AttemptDisposition } from '../campaign/dialing';

/**
 * A campaign's funnel: how many of its leads reached each step, each counted once per lead (a lead
 * called three times is dialed once). The one definition of these figures: the SQL that counts
 * them is db/reports/funnel-sql.ts, read by `GET /campaigns/:id` and the campaign workflow's
 * progress alike (activities/reports/funnel.ts).
 */
export const FUNNEL_STEPS = [
  'listed', 'dialed', 'connected', 'accepted', 'ordered', 'delivered', 'activated', 'followedUp',
] as const;
export type FunnelStep = (typeof FUNNEL_STEPS)[number];
export type Funnel = Record<FunnelStep, number>;

/** What each step counts, in a user's words (the API's document and the details show them). */
export const FUNNEL_MEANING: Record<FunnelStep, string> = {
  listed: 'leads the list pull wrote for the campaign to call (its held-out control group not counted)',
  dialed: 'leads the dialer called at least once (calls not placed or blocked by the checks at dialing do not count)',
  connected: 'leads who talked to an agent at least once',
  accepted: 'leads who accepted the offer',
  ordered: 'orders made from the campaign’s leads',
  delivered: 'orders the courier delivered',
  activated: 'orders the BSS activated',
  followedUp: 'orders whose follow-up call reached the customer',
};

/** Attempts that never rang the customer: they do not make a lead dialed. */
export const NOT_DIALED: readonly AttemptDisposition[] = ['not-placed', 'blocked'];

export const emptyFunnel = (): Funnel => ({
  listed: 0, dialed: 0, connected: 0, accepted: 0, ordered: 0, delivered: 0, activated: 0, followedUp: 0,
});

/** A funnel read at a moment: what a running campaign's progress holds (the API reads it live). */
export interface FunnelReading {
  funnel: Funnel;
  /** When it was read (ISO, the workflow's clock). */
  asOf: string;
}
