import { HOLD_SLA_DEFAULTS } from '../domain/order/order';
import { heldDeliveriesFrom } from './dispatch/held-deliveries-sql';

/**
 * What the API's metrics read from Postgres at each scrape (infra/metrics/state.ts): two grouped
 * counts over the orders still open, cheap on any size of history (the partial index of migration
 * 021 holds the open orders only; held ones have their own, migration 005).
 */
export const OPEN_ORDERS_SQL = `SELECT status, stage, count(*)::int AS n FROM orders WHERE stage <> 'done' GROUP BY status, stage`;

/**
 * How long ago held deliveries failed, in buckets an on-call person reads at a glance: the hour,
 * up to the default escalation (4 h), the day, up to the default automatic cancel (3 days), beyond.
 */
export const HELD_AGE_BUCKETS: readonly { label: string; underSeconds: number }[] = [
  { label: 'lt1h', underSeconds: 3_600 },
  { label: '1h-4h', underSeconds: HOLD_SLA_DEFAULTS.escalateAfterSeconds },
  { label: '4h-1d', underSeconds: 86_400 },
  { label: '1d-3d', underSeconds: HOLD_SLA_DEFAULTS.cancelAfterSeconds },
];
export const HELD_AGE_OVER = 'gt3d';

/**
 * The dispatchers' work queue (the same orders GET /deliveries lists: db/dispatch/held-deliveries-sql.ts)
 * by region and age bucket, with the oldest failure of each group in seconds. A booking the courier
 * refused has no outcome time: it counts from the order's last change, as the queue shows it.
 */
export function heldDeliveriesByAgeSql(): { text: string; values: unknown[] } {
  const { from, p } = heldDeliveriesFrom({});
  const bucket = `CASE ${HELD_AGE_BUCKETS.map((b) => `WHEN age < ${b.underSeconds} THEN '${b.label}'`).join(' ')} ELSE '${HELD_AGE_OVER}' END`;
  const text = `SELECT region, ${bucket} AS age, count(*)::int AS n, max(age)::float8 AS oldest
      FROM (SELECT o.region, extract(epoch FROM now() - COALESCE(d.outcome_at, o.updated_at)) AS age ${from}) h
     GROUP BY 1, 2`;
  return { text, values: p.values };
}
