import type { HeldDeliveryFilter } from '../../domain/dispatch/held-deliveries';
import { olderThanSeconds } from '../../domain/dispatch/held-deliveries';
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
