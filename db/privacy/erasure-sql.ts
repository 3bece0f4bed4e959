import type { Queryable } from '../queryable';
import { msisdnHash } from '../compliance/dnc-sql';

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
  // An entry whose erased twin (the same number, erased with another customer before) is in force
  // is closed: the twin refuses the number, and two entries in force for one number cannot be.
  await one(
    `UPDATE dnc_numbers d SET removed_at = clock_timestamp(), removed_by = 'erasure', removed_reason = 'merged into the erased entry of the same number'
      WHERE d.msisdn IN ${numbers} AND d.removed_at IS NULL
        AND EXISTS (SELECT 1 FROM dnc_numbers t WHERE t.msisdn = 'erased:' || d.msisdn_hash AND t.removed_at IS NULL)`);
  // every entry of the numbers, closed just now or in force or from before, keeps only the hash
  const dncEntries = await one(
    `UPDATE dnc_numbers SET msisdn = 'erased:' || msisdn_hash WHERE msisdn IN ${numbers}`);
  const twins = await one(
    `DELETE FROM suppression_numbers s WHERE s.msisdn IN ${numbers}
        AND EXISTS (SELECT 1 FROM suppression_numbers t WHERE t.list_id = s.list_id AND t.msisdn = 'erased:' || ${msisdnHash('s.msisdn')})`);
  const suppressionEntries = twins + await one(
    `UPDATE suppression_numbers SET msisdn = 'erased:' || ${msisdnHash('msisdn')} WHERE msisdn IN ${numbers}`);
  const leadsStopped = await one(
    `UPDATE leads SET stop_reason = 'customer erased' WHERE customer_id = $1 AND stop_reason IS NULL AND state IN ('pending', 'dialing')`);
  const leads = await one(`UPDATE leads SET msisdn = 'erased:' || id WHERE customer_id = $1`);
  const addressCorrections = await one(
    `UPDATE address_corrections SET address = '${TOMBSTONE}' WHERE order_id IN (SELECT id FROM orders WHERE customer_id = $1)`);
  const deliveries = await one(
    `UPDATE deliveries SET address = '${TOMBSTONE}', refusal = CASE WHEN refusal IS NULL THEN NULL ELSE '${TOMBSTONE}' END
      WHERE order_id IN (SELECT id FROM orders WHERE customer_id = $1)`);
  const orders = await one(`UPDATE orders SET address = '${TOMBSTONE}' WHERE customer_id = $1`);
  const customers = await one(
    `UPDATE customers SET msisdn = 'erased:' || id, name = '${TOMBSTONE}', address = '${TOMBSTONE}', dnc = true, erased_at = $2
      WHERE id = $1`, true);
  return { customers, leads, leadsStopped, orders, deliveries, addressCorrections, dncEntries, suppressionEntries };
}
