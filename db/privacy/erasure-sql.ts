import type { Queryable } from '../queryable';

/** How many rows of each table an erasure changed (the answer of POST /customers/:id/erasure). */
export interface ErasureChanges {
  customers: number;
  leads: number;
  leadsStopped: number;
  orders: number;
  deliveries: number;
  addressCorrections: number;
  dncEntries: number;
  suppressionEntries: number;
}

/** Placeholders that replace what an erasure removes; a number's carries the row's id or the number's hash (unique columns). */
export const TOMBSTONE = 'erased';
const HASH = (col: string) => `left(encode(sha256(convert_to('msisdn:' || ${col}, 'UTF8')), 'hex'), 32)`;

/**
 * Replaces customer $1's number, name and address with tombstones in every table that holds
 * them, in the caller's transaction (the customer's row locked first). Evidence stays hashed: the
 * contact log has only hashes already; register and suppression entries of the customer's numbers
 * (their own and their leads') keep their hash in place of the number, so the register still
 * refuses the number at dialing. The customer is flagged do-not-call (its history records when)
 * and their waiting leads are stopped, so nothing dials a tombstone.
 */
export async function eraseCustomer(tx: Queryable, customerId: number, at: Date): Promise<ErasureChanges> {
  const one = async (sql: string, withTime = false) => (await tx.query(sql, withTime ? [customerId, at] : [customerId])).rowCount ?? 0;
  // Every number the customer was reached on: theirs now, and the ones their leads were listed with.
  const numbers = `(SELECT msisdn FROM customers WHERE id = $1 UNION SELECT msisdn FROM leads WHERE customer_id = $1)`;
  const dncEntries = await one(
    `UPDATE dnc_numbers SET msisdn = 'erased:' || msisdn_hash WHERE msisdn IN ${numbers}`);
  const suppressionEntries = await one(
    `UPDATE suppression_numbers SET msisdn = 'erased:' || ${HASH('msisdn')} WHERE msisdn IN ${numbers}`);
  const leadsStopped = await one(
    `UPDATE leads SET stop_reason = 'customer erased' WHERE customer_id = $1 AND stop_reason IS NULL AND state IN ('pending', 'dialing')`);
  const leads = await one(`UPDATE leads SET msisdn = 'erased:' || id WHERE customer_id = $1`);
  const addressCorrections = await one(
    `UPDATE address_corrections SET address = '${TOMBSTONE}' WHERE order_id IN (SELECT id FROM orders WHERE customer_id = $1)`);
  const deliveries = await one(
    `UPDATE deliveries SET address = '${TOMBSTONE}' WHERE order_id IN (SELECT id FROM orders WHERE customer_id = $1)`);
  const orders = await one(`UPDATE orders SET address = '${TOMBSTONE}' WHERE customer_id = $1`);
  const customers = await one(
    `UPDATE customers SET msisdn = 'erased:' || id, name = '${TOMBSTONE}', address = '${TOMBSTONE}', dnc = true, erased_at = $2
      WHERE id = $1`, true);
  return { customers, leads, leadsStopped, orders, deliveries, addressCorrections, dncEntries, suppressionEntries };
}
