import type { HeldDeliveryFilter } from '../../domain/dispatch/held-deliveries';
import { HELD_AGE_BANDS, olderThanSeconds } from '../../domain/dispatch/held-deliveries';
import type { Queryable } from '../queryable';
import { SqlParams } from '../campaign/segment-sql';

/**
 * The held orders a work-queue filter matches, each with its last delivery (`d`): the FROM/WHERE
 * the queue's page, its count and the bulk retry's snapshot share. Values travel as parameters.
 */
export function heldDeliveriesFrom(filter: HeldDeliveryFilter, p: SqlParams = new SqlParams()): { from: string; p: SqlParams } {
  const region = p.add(filter.region ?? null, 'text');
  const reason = p.add(filter.reason ?? null, 'text');
  const older = p.add(olderThanSeconds(filter.olderThan), 'int');
  const escalated = p.add(filter.escalated ?? null, 'boolean');
  const campaign = p.add(filter.campaignId ?? null, 'text');
  const from = `FROM orders o
      JOIN LATERAL (SELECT d.outcome, d.outcome_at, d.address FROM deliveries d WHERE d.order_id = o.id AND d.kind = 'delivery' ORDER BY d.attempt DESC LIMIT 1) d ON true
     WHERE o.status = 'held' AND o.hold_reason IS DISTINCT FROM 'out-of-stock'
       AND (${region} IS NULL OR o.region = ${region}) AND (${reason} IS NULL OR d.outcome = ${reason})
       AND (${older} IS NULL OR d.outcome_at <= now() - make_interval(secs => ${older}))
       AND (${escalated} IS NULL OR (o.escalated_at IS NOT NULL) = ${escalated})
       AND (${campaign} IS NULL OR o.campaign_id = ${campaign})`;
  return { from, p };
}

/** The work queue's order: escalated first, then the oldest failure first. */
export const HELD_DELIVERIES_ORDER = 'ORDER BY o.escalated_at IS NULL, d.outcome_at, o.id';

/** Held orders of one region in one age band (HELD_AGE_BANDS's index), and how many of them are escalated. */
export interface HeldBand {
  region: string;
  band: number;
  orders: number;
  escalated: number;
}

/**
 * The whole work queue counted by region and by how long ago the last delivery failed (or the
 * booking was refused: then since the order's last change, as the queue shows it).
 */
export async function readHeldByRegionAge(db: Queryable): Promise<HeldBand[]> {
  const { from, p } = heldDeliveriesFrom({});
  const bounds = p.add(HELD_AGE_BANDS.flatMap((b) => (b.upToSeconds === null ? [] : [b.upToSeconds])), 'int[]');
  const { rows } = await db.query<{ region: string; band: number; orders: string; escalated: string }>(
    `SELECT region, band, count(*) AS orders, count(*) FILTER (WHERE escalated) AS escalated
       FROM (SELECT o.region, o.escalated_at IS NOT NULL AS escalated,
                    (SELECT count(*)::int FROM unnest(${bounds}) b
                      WHERE extract(epoch FROM now() - COALESCE(d.outcome_at, o.updated_at)) >= b) AS band
               ${from}) held
      GROUP BY region, band ORDER BY region, band`, p.values);
  return rows.map((r) => ({ region: r.region, band: r.band, orders: Number(r.orders), escalated: Number(r.escalated) }));
}
