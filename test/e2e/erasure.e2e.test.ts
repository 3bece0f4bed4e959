import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderWorkflowId } from '../../domain/order/ids';
import { onDncAtDialing } from '../../db/compliance/dnc-sql';
import { eligible, SqlParams } from '../../db/campaign/segment-sql';
import { api } from '../support/campaigns';
import { historyText } from '../support/history-text';
import { DELIVER, EVERY_CALL_ACCEPTED, waitOrderView } from '../support/orders';
import { startHarness, uniqueId, type Harness } from '../support/harness';

/** Scratch customers of this file (test/global-setup.ts): erasing changes them for good. */
const CUSTOMER = 100043;
const NEXT_OWNER = 100044;

let h: Harness;
beforeAll(async () => { h = await startHarness({ sims: { ...EVERY_CALL_ACCEPTED, courier: DELIVER } }); });
afterAll(async () => { await h?.close(); });

/** Every text column of every table of the application's schema that holds `value` (table.column). */
async function whereFound(value: string): Promise<string[]> {
  const { rows: columns } = await h.db.query<{ table_name: string; column_name: string }>(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
      WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY')`);
  const found: string[] = [];
  for (const { table_name: t, column_name: col } of columns) {
    const { rows } = await h.db.query(`SELECT 1 FROM "${t}" WHERE strpos("${col}"::text, $1) > 0 LIMIT 1`, [value]);
    if (rows.length) found.push(`${t}.${col}`);
  }
  return found;
}

describe('erasure: the right to be forgotten', () => {
  it('replaces number, name and address everywhere, keeps the evidence hashed, and changes nothing when repeated', async () => {
    const { rows: [person] } = await h.db.query<{ msisdn: string; name: string; address: string }>(
      'SELECT msisdn, name, address FROM customers WHERE id = $1', [CUSTOMER]);
    const listable = async () => {
      const p = new SqlParams();
      const where = eligible({ segment: { maxLeads: 1 } }, p);
      return (await h.db.query(`SELECT 1 FROM customers c WHERE c.id = ${p.add(CUSTOMER, 'bigint')} AND ${where}`, p.values)).rowCount;
    };
    expect(await listable()).toBe(1);

    // An order delivered to an address a scheduler corrected, followed up (a call in the contact log).
    const key = uniqueId('erase');
    const made = await api(h, 'POST', '/orders', {
      customerId: CUSTOMER, offer: { code: 'sim-only', name: 'SIM only', price: 19, ships: [] },
      orders: { followUpDelaySeconds: 0, deliveryRetryDelaySeconds: 0, followUpMaxAttempts: 1, followUpRetryDelaySeconds: 0, followUpWindow: { start: '00:00', end: '24:00' } },
    }, { 'idempotency-key': key });
    expect(made.status).toBe(201);
    const orderId = made.body.id as string;
    // While it is under way the courier needs the address: no erasure yet.
    const early = await api(h, 'POST', `/customers/${CUSTOMER}/erasure`, { reason: 'letter of 1 Dec' });
    expect(early.status).toBe(409);
    expect(early.body.message).toContain(orderId);
    await waitOrderView(h, orderId, 'done', (v) => v.stage === 'done');
    await h.db.query(`INSERT INTO address_corrections (id, order_id, address) VALUES ($1, $2, $3)`, [`adr-${key}`, orderId, `${person!.address}, back door`]);
    expect((await api(h, 'POST', '/dnc', { msisdn: person!.msisdn, reason: 'asked on the phone' })).status).toBeLessThan(300);
    const { rows: [logged] } = await h.db.query<{ msisdn_hash: string }>('SELECT msisdn_hash FROM call_attempts WHERE order_id = $1', [orderId]);
    expect(logged!.msisdn_hash).toMatch(/^[0-9a-f]{32}$/);
    for (const value of [person!.msisdn, person!.name, person!.address]) expect(await whereFound(value)).not.toEqual([]);

    // Only an admin erases.
    const asMarketing = { authorization: `Bearer ${h.token('marketing')}` };
    expect((await api(h, 'POST', `/customers/${CUSTOMER}/erasure`, { reason: 'letter of 1 Dec' }, asMarketing)).status).toBe(403);
    expect((await api(h, 'POST', '/customers/999999999/erasure', { reason: 'letter of 1 Dec' })).status).toBe(404);

    const erased = await api(h, 'POST', `/customers/${CUSTOMER}/erasure`, { reason: 'letter of 1 Dec' });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({
      customerId: CUSTOMER, alreadyErased: false,
      changed: { customers: 1, orders: 1, deliveries: 1, addressCorrections: 1, dncEntries: 1 },
    });
    for (const value of [person!.msisdn, person!.name, person!.address]) expect(await whereFound(value), value).toEqual([]);
    // The evidence, hashed: the contact log's hash as it was, the register's entry still refusing the number at dialing.
    expect((await h.db.query('SELECT msisdn_hash FROM call_attempts WHERE order_id = $1', [orderId])).rows[0]).toEqual(logged);
    const { rows: [check] } = await h.db.query<{ dnc: boolean }>(`SELECT ${onDncAtDialing('c', '$1::text')} AS dnc FROM (SELECT false AS dnc) c`, [person!.msisdn]);
    expect(check!.dnc).toBe(true);
    expect(await listable()).toBe(0);
    // The order still reads, with the tombstone; its history in Temporal never held any of it.
    expect((await api(h, 'GET', `/orders/${orderId}`)).status).toBe(200);
    const history = await historyText(h, orderWorkflowId(orderId));
    for (const value of [person!.msisdn, person!.name, person!.address]) expect(history.text.includes(value)).toBe(false);

    // An erased customer orders nothing more.
    const late = await api(h, 'POST', '/orders', { customerId: CUSTOMER, offer: { code: 'sim-only', name: 'SIM only', price: 19, ships: [] } },
      { 'idempotency-key': uniqueId('erase-late') });
    expect(late.status).toBe(404);

    const again = await api(h, 'POST', `/customers/${CUSTOMER}/erasure`, { reason: 'letter of 1 Dec' });
    expect(again.body).toMatchObject({ alreadyErased: true, erasedAt: erased.body.erasedAt, changed: { customers: 0, leads: 0, orders: 0, dncEntries: 0 } });
    // Recorded once, with who and why; the do-not-call flag's history names the admin.
    expect((await h.db.query('SELECT reason, erased_by FROM erasures WHERE customer_id = $1', [CUSTOMER])).rows)
      .toEqual([{ reason: 'letter of 1 Dec', erased_by: { sub: 'dev-admin', role: 'admin' } }]);
    expect((await h.db.query('SELECT changed_by FROM customer_dnc_changes WHERE customer_id = $1 AND dnc ORDER BY at DESC LIMIT 1', [CUSTOMER])).rows[0])
      .toEqual({ changed_by: 'dev-admin (admin)' });

    // The number goes to another customer, who asks not to be called too, and is erased in turn:
    // the register keeps one entry in force for the number, by hash.
    await h.db.query('UPDATE customers SET msisdn = $1 WHERE id = $2', [person!.msisdn, NEXT_OWNER]);
    expect((await api(h, 'POST', '/dnc', { msisdn: person!.msisdn, reason: 'asked again' })).status).toBeLessThan(300);
    const second = await api(h, 'POST', `/customers/${NEXT_OWNER}/erasure`, { reason: 'letter of 2 Dec' });
    expect(second.status).toBe(200);
    expect(second.body.changed.dncEntries).toBe(1);
    const { rows: inForce } = await h.db.query(
      `SELECT msisdn FROM dnc_numbers WHERE msisdn_hash = $1 AND removed_at IS NULL`, [logged!.msisdn_hash]);
    expect(inForce).toEqual([{ msisdn: `erased:${logged!.msisdn_hash}` }]);
    expect(await whereFound(person!.msisdn)).toEqual([]);
  });
});
