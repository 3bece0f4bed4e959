import type { Exclusion } from './eligibility';
import { CAP_WINDOW_DAYS, type HotlineSettings } from './words';

/**
 * The contact policy (seed 004: customers asked again and again lose patience): an offer the
 * customer refused is not offered again for N days, and a customer gets at most M recommendations
 * in any 7 days, over every channel.
 */

export interface ContactHistory {
  /** Offers the customer refused within the last refusalQuietDays days. */
  refusedRecently: ReadonlySet<string>;
  /** Recommendations made to the customer within the last 7 days (any channel, this interaction's not counted). */
  recentRecommendations: number;
}

export interface PolicyResult<T> {
  allowed: T[];
  excluded: Exclusion[];
  /** How many more recommendations the customer may get now. */
  room: number;
}

export function contactPolicy<T extends { offerCode: string }>(
  candidates: readonly T[], history: ContactHistory, settings: Pick<HotlineSettings, 'refusalQuietDays' | 'weeklyCap'>,
): PolicyResult<T> {
  const allowed: T[] = [];
  const excluded: Exclusion[] = [];
  for (const c of candidates) {
    if (history.refusedRecently.has(c.offerCode)) excluded.push({ offerCode: c.offerCode, why: `refused within the last ${settings.refusalQuietDays} days` });
    else allowed.push(c);
  }
  return { allowed, excluded, room: roomLeft(history.recentRecommendations, settings.weeklyCap) };
}

/** What the weekly cap leaves: M less the recommendations of the window, never below 0. */
export const roomLeft = (recent: number, weeklyCap: number): number => Math.max(0, weeklyCap - recent);

/** The cap in words, for an answer that holds offers back. */
export const capReached = (recent: number, weeklyCap: number): string =>
  `contact policy: ${recent} recommendations in the last ${CAP_WINDOW_DAYS} days, at most ${weeklyCap}`;
