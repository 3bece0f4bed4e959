import { randomUUID } from 'node:crypto';
import type { Actor } from '../../domain/access/roles';
import type { Queryable } from '../queryable';

/**
 * Keeps a scheduler's corrected delivery address (table address_corrections) and answers its id,
 * which is all the order workflow is told: no address travels through Temporal. The booking reads
 * it back by that id (activities/order/delivery.ts).
 */
export async function keepAddressCorrection(
  db: Queryable, c: { orderId: string; address: string; region?: string; by: Actor },
): Promise<string> {
  const id = `adr-${randomUUID()}`;
  await db.query('INSERT INTO address_corrections (id, order_id, address, region, requested_by) VALUES ($1, $2, $3, $4, $5)',
    [id, c.orderId, c.address, c.region ?? null, c.by]);
  return id;
}
