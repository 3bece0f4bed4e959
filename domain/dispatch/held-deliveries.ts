import { z } from 'zod';
import { DELIVERY_OUTCOMES, type FailedDelivery } from '../order/order';

/**
 * The dispatchers' work queue filter: which held orders a regional desk looks at. One schema for
 * the queue's query string (`GET /deliveries`) and the bulk retry's body (`POST /deliveries/retry`),
 * so both mean the same orders; db/dispatch/held-deliveries-sql.ts turns it into SQL.
 */
export const FAILED_DELIVERIES = DELIVERY_OUTCOMES.filter((o) => o !== 'delivered') as [FailedDelivery, ...FailedDelivery[]];

const UNIT_SECONDS = { m: 60, h: 3_600, d: 86_400 } as const;

export const HeldDeliveryFilterSchema = z.strictObject({
  campaignId: z.string().min(1).max(63).optional(),
  region: z.string().regex(/^[a-z]{2,8}$/).optional(),
  reason: z.enum(FAILED_DELIVERIES).optional(),
  /**
   * Failed at least this long ago: minutes, hours or days, e.g. 30m, 4h, 2d; at most 999999m,
   * 99999h or 9999d (27 years), which keeps it within Postgres's int (99999d overflowed: a 500).
   */
  olderThan: z.string().regex(/^(?:\d{1,6}m|\d{1,5}h|\d{1,4}d)$/, 'a number and m, h or d, e.g. 4h (at most 999999m, 99999h, 9999d)').optional(),
  /** A JSON boolean in a body; 'true' or 'false' in a query string. */
  escalated: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
});
export type HeldDeliveryFilter = z.output<typeof HeldDeliveryFilterSchema>;

/** `olderThan` in seconds (null without one). */
export function olderThanSeconds(olderThan: string | undefined): number | null {
  if (!olderThan) return null;
  return Number(olderThan.slice(0, -1)) * UNIT_SECONDS[olderThan.at(-1) as keyof typeof UNIT_SECONDS];
}

/** The filter in a dispatcher's words, e.g. "held orders in gd, wrong-address, failed 4h ago or more". */
export function describeHeldFilter(f: HeldDeliveryFilter): string {
  const parts = [
    f.escalated === true ? 'escalated' : f.escalated === false ? 'not escalated' : undefined,
    f.campaignId ? `of campaign ${f.campaignId}` : undefined,
    f.region ? `in ${f.region}` : undefined,
    f.reason,
    f.olderThan ? `failed ${f.olderThan} ago or more` : undefined,
  ].filter(Boolean);
  return `held orders${parts.length ? ` ${parts.join(', ')}` : ' (all)'}`;
}

/**
 * How long held orders have waited since their last failed delivery, in the bands a dispatch desk
 * watches (the dashboard's held deliveries by region and age): each band from the previous one's
 * end, up to `upToSeconds` (exclusive); the last one open.
 */
export const HELD_AGE_BANDS = [
  { label: 'under 1 h', upToSeconds: 3_600 },
  { label: '1–4 h', upToSeconds: 4 * 3_600 },
  { label: '4–24 h', upToSeconds: 86_400 },
  { label: '1–3 d', upToSeconds: 3 * 86_400 },
  { label: '3 d or more', upToSeconds: null },
] as const;
