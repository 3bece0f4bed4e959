import type pg from 'pg';
import type { Queryable } from '../queryable';
import { SHARE_ORDER_MONTH } from './month-lock';
import { monthStart, type Month } from '../../domain/sales-points/month';

/** Sales entries: recorded one at a time, by a file, or by the orders this system makes. */

export interface EntryRow {
  id: string;
  month: string;
  service_code: string;
  msisdn: string;
  customer_id: string | null;
  staff_id: string;
  staff_name: string;
  outlet: string;
  area: string;
  department: string;
  channel: string;
  sale_channel: string;
  source: string;
  order_id: string | null;
  campaign_id: string | null;
  sold_at: Date;
  recorded_by: string;
  recorded_at: Date;
  request_hash: string | null;
}

const ENTRY_SELECT = `SELECT e.id, to_char(e.month, 'YYYY-MM') AS month, e.service_code, e.msisdn, e.customer_id, e.staff_id, st.name AS staff_name,
       e.outlet, e.area, e.department, e.channel, e.sale_channel, e.source, e.order_id, e.campaign_id, e.sold_at, e.recorded_by, e.recorded_at, e.request_hash
  FROM sales_entries e JOIN staff st ON st.id = e.staff_id`;

/** The seller's organisation as of now: an entry keeps it, so a move later changes nothing. */
const SELLER = `SELECT st.id AS staff_id, o.code AS outlet, a.code AS area, a.parent AS department, o.channel
  FROM staff st JOIN sales_org_units o ON o.code = st.outlet JOIN sales_org_units a ON a.code = o.parent`;

export interface NewSale {
  month: Month;
  serviceCode: string;
  msisdn: string;
  customerId: number | null;
  staffId: string;
  saleChannel: string;
  soldAt: Date;
  source: 'staff' | 'csv';
  recordedBy: string;
  idempotencyKey?: string;
  requestHash?: string;
}

/** Records a sale, or nothing when a unique rule holds it back (the one-entry rule, the caller's key): the caller looks why. */
export async function recordSale(q: Queryable, s: NewSale): Promise<EntryRow | undefined> {
  const { rows: [row] } = await q.query<{ id: string }>(
    `INSERT INTO sales_entries (month, service_code, msisdn, customer_id, staff_id, outlet, area, department, channel, sale_channel, source, sold_at,
                                recorded_by, idempotency_key, request_hash)
     SELECT $1::date, $2, $3, $4, s.staff_id, s.outlet, s.area, s.department, s.channel, $6, $7, $8, $9, $10, $11 FROM (${SELLER} WHERE st.id = $5) s
     ON CONFLICT DO NOTHING RETURNING id`,
    [monthStart(s.month), s.serviceCode, s.msisdn, s.customerId, s.staffId, s.saleChannel, s.source, s.soldAt, s.recordedBy, s.idempotencyKey ?? null, s.requestHash ?? null]);
  return row ? entry(q, row.id) : undefined;
}

/** Records many sales in one statement; answers the keys (number/service/month) it recorded. */
export async function recordSales(q: Queryable, sales: readonly NewSale[]): Promise<Set<string>> {
  if (!sales.length) return new Set();
  const col = <K extends keyof NewSale>(k: K) => sales.map((s) => s[k] ?? null);
  const { rows } = await q.query<{ key: string }>(
    `INSERT INTO sales_entries (month, service_code, msisdn, customer_id, staff_id, outlet, area, department, channel, sale_channel, source, sold_at, recorded_by)
     SELECT i.month, i.service_code, i.msisdn,
            COALESCE(i.customer_id, (SELECT c.id FROM customers c WHERE c.msisdn = i.msisdn AND c.erased_at IS NULL ORDER BY c.id LIMIT 1)), s.staff_id, s.outlet, s.area, s.department, s.channel, i.sale_channel, i.source, i.sold_at, i.recorded_by
       FROM unnest($1::date[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::text[])
              AS i(month, service_code, msisdn, customer_id, staff_id, sale_channel, source, sold_at, recorded_by)
       JOIN (${SELLER}) s ON s.staff_id = i.staff_id
     ON CONFLICT DO NOTHING
     RETURNING msisdn || '/' || service_code || '/' || to_char(month, 'YYYY-MM') AS key`,
    [sales.map((s) => monthStart(s.month)), col('serviceCode'), col('msisdn'), col('customerId'), col('staffId'), col('saleChannel'), col('source'),
      col('soldAt'), col('recordedBy')]);
  return new Set(rows.map((r) => r.key));
}

export const entry = async (q: Queryable, id: string): Promise<EntryRow | undefined> =>
  (await q.query<EntryRow>(`${ENTRY_SELECT} WHERE e.id = $1`, [id])).rows[0];

/** The entry a caller's Idempotency-Key made. */
export const entryByKey = async (q: Queryable, recordedBy: string, key: string): Promise<EntryRow | undefined> =>
  (await q.query<EntryRow>(`${ENTRY_SELECT} WHERE e.recorded_by = $1 AND e.idempotency_key = $2`, [recordedBy, key])).rows[0];

/** The entries that hold these number/service/month keys (`msisdn/service/YYYY-MM`): whose sale came first. */
export async function entriesByKeys(q: Queryable, keys: readonly { msisdn: string; serviceCode: string; month: Month }[]): Promise<Map<string, EntryRow>> {
  if (!keys.length) return new Map();
  const { rows } = await q.query<EntryRow>(
    `${ENTRY_SELECT} JOIN unnest($1::text[], $2::text[], $3::date[]) AS k(msisdn, service_code, month)
        ON e.msisdn = k.msisdn AND e.service_code = k.service_code AND e.month = k.month`,
    [keys.map((k) => k.msisdn), keys.map((k) => k.serviceCode), keys.map((k) => monthStart(k.month))]);
  return new Map(rows.map((r) => [`${r.msisdn}/${r.service_code}/${r.month}`, r]));
}

export interface EntryFilter {
  month?: Month;
  staffId?: string;
  outlet?: string;
  area?: string;
  department?: string;
  serviceCode?: string;
  source?: string;
  limit: number;
  offset: number;
}

export async function listEntries(q: Queryable, f: EntryFilter): Promise<{ rows: EntryRow[]; total: number }> {
  const where = `WHERE ($1::date IS NULL OR e.month = $1) AND ($2::text IS NULL OR e.staff_id = $2) AND ($3::text IS NULL OR e.outlet = $3)
    AND ($4::text IS NULL OR e.area = $4) AND ($5::text IS NULL OR e.department = $5) AND ($6::text IS NULL OR e.service_code = $6)
    AND ($7::text IS NULL OR e.source = $7)`;
  const params = [f.month ? monthStart(f.month) : null, f.staffId ?? null, f.outlet ?? null, f.area ?? null, f.department ?? null, f.serviceCode ?? null, f.source ?? null];
  const [page, total] = await Promise.all([
    q.query<EntryRow>(`${ENTRY_SELECT} ${where} ORDER BY e.sold_at DESC, e.id DESC LIMIT $8 OFFSET $9`, [...params, f.limit, f.offset]),
    q.query<{ n: string }>(`SELECT count(*) AS n FROM sales_entries e ${where}`, params),
  ]);
  return { rows: page.rows, total: Number(total.rows[0]!.n) };
}

/** What an order's sale came to: an entry, nothing to credit (no seller with a staff record, no catalogue service), or a sale someone recorded first. */
export type OrderSaleOutcome =
  | { kind: 'recorded'; entryId: string } | { kind: 'none' } | { kind: 'taken'; firstEntryId: string | null } | { kind: 'failed'; message: string };

/** An order's sale the one-entry rule refused: its seller, and the entry of the same number, service and month that came first. */
const REFUSE_ORDER_SALE = `
INSERT INTO sales_entry_refusals (order_id, month, service_code, staff_id, first_entry_id)
SELECT o.id, e.month, e.service_code, COALESCE(o.staff_id, o.agent_id), e.id
  FROM orders o
  JOIN customers c ON c.id = o.customer_id
  JOIN sales_entries e ON e.msisdn = c.msisdn AND e.service_code = o.offer_code AND e.month = date_trunc('month', o.created_at AT TIME ZONE $2)::date
 WHERE o.id = $1
ON CONFLICT (order_id) DO NOTHING
RETURNING first_entry_id`;

/**
 * The entry an order makes for its seller: the staff member it names (POST /orders staffId) or the
 * agent who took the accepted call (orders.agent_id) when a staff record carries that id, of the
 * order's offer when it is a catalogue service sellable on the order's day, in the month of the
 * order in the operator's time zone. A number, service and month recorded already earns nothing: the
 * refusal is kept, with whose entry came first (sales_entry_refusals, listRefusals).
 *
 * Call it inside the transaction that inserts the order (a client, not the pool): it works under a
 * savepoint, so whatever goes wrong here (a closed month, say) never fails the order.
 */
export async function recordOrderSale(q: pg.PoolClient | pg.Client, orderId: string, timeZone: string): Promise<OrderSaleOutcome> {
  await q.query('SAVEPOINT record_order_sale');
  try {
    await q.query(SHARE_ORDER_MONTH, [orderId, timeZone]);
    const { rows: [r] } = await q.query<{ eligible: number; entry_id: string | null }>(
      `WITH sale AS (
         SELECT date_trunc('month', o.created_at AT TIME ZONE $2)::date AS month, sv.code AS service_code, c.msisdn, o.customer_id,
                s.staff_id, s.outlet, s.area, s.department, s.channel, o.channel AS sale_channel, o.id AS order_id, o.campaign_id, o.created_at
           FROM orders o
           JOIN customers c ON c.id = o.customer_id AND c.erased_at IS NULL
           JOIN staff who ON who.id = COALESCE(o.staff_id, o.agent_id) AND who.active
           JOIN (${SELLER}) s ON s.staff_id = who.id
           JOIN sales_services sv ON sv.code = o.offer_code
                AND (sv.retired_on IS NULL OR sv.retired_on > (o.created_at AT TIME ZONE $2)::date)
          WHERE o.id = $1
            AND EXISTS (SELECT 1 FROM sales_service_terms t WHERE t.service_code = sv.code AND t.effective_from <= (o.created_at AT TIME ZONE $2)::date)
            -- the month's run has begun: it takes no more sales (db/sales-points/catalogue-sql.ts monthsShut)
            AND NOT EXISTS (SELECT 1 FROM sales_point_runs r WHERE r.month = date_trunc('month', o.created_at AT TIME ZONE $2)::date)),
       ins AS (
         INSERT INTO sales_entries (month, service_code, msisdn, customer_id, staff_id, outlet, area, department, channel, sale_channel, source,
                                    order_id, campaign_id, sold_at, recorded_by)
         SELECT month, service_code, msisdn, customer_id, staff_id, outlet, area, department, channel, sale_channel, 'order', order_id, campaign_id,
                created_at, 'order ' || order_id FROM sale
         ON CONFLICT DO NOTHING RETURNING id)
       SELECT (SELECT count(*)::int FROM sale) AS eligible, (SELECT id FROM ins) AS entry_id`, [orderId, timeZone]);
    if (r!.entry_id) {
      await q.query('RELEASE SAVEPOINT record_order_sale');
      return { kind: 'recorded', entryId: r!.entry_id };
    }
    if (!r!.eligible) {
      await q.query('RELEASE SAVEPOINT record_order_sale');
      return { kind: 'none' };
    }
    // Refused by the one-entry rule: kept, naming the entry that came first (migration 041), found by a
    // statement of its own, which sees the entry the insert ran into.
    const { rows: [refused] } = await q.query<{ first_entry_id: string }>(REFUSE_ORDER_SALE, [orderId, timeZone]);
    await q.query('RELEASE SAVEPOINT record_order_sale');
    return { kind: 'taken', firstEntryId: refused?.first_entry_id ?? null };
  } catch (err) {
    await q.query('ROLLBACK TO SAVEPOINT record_order_sale');
    // A month closed in between: the order earns nothing, and goes on. Anything else (a deadlock, a
    // lost connection) fails the order's transaction, so its retry records the sale too.
    if ((err as { code?: string }).code === '23514') return { kind: 'failed', message: (err as Error).message };
    throw err;
  }
}

export interface RefusalRow { order_id: string; month: string; service_code: string; staff_id: string; at: Date; first: EntryRow }

/** Orders' sales the one-entry rule refused (migration 041), newest first, each with the entry that came first: a month's, a seller's. */
export async function listRefusals(q: Queryable, f: { month?: Month; staffId?: string; limit: number; offset: number }): Promise<{ rows: RefusalRow[]; total: number }> {
  const where = `WHERE ($1::date IS NULL OR r.month = $1) AND ($2::text IS NULL OR r.staff_id = $2)`;
  const params = [f.month ? monthStart(f.month) : null, f.staffId ?? null];
  const [page, total] = await Promise.all([
    q.query<Omit<RefusalRow, 'first'> & { first_entry_id: string }>(
      `SELECT r.order_id, to_char(r.month, 'YYYY-MM') AS month, r.service_code, r.staff_id, r.first_entry_id, r.at
         FROM sales_entry_refusals r ${where} ORDER BY r.at DESC, r.order_id LIMIT $3 OFFSET $4`, [...params, f.limit, f.offset]),
    q.query<{ n: string }>(`SELECT count(*) AS n FROM sales_entry_refusals r ${where}`, params),
  ]);
  const ids = [...new Set(page.rows.map((r) => r.first_entry_id))];
  const firsts = new Map((await q.query<EntryRow>(`${ENTRY_SELECT} WHERE e.id = ANY($1::bigint[])`, [ids])).rows.map((e) => [e.id, e]));
  return { rows: page.rows.map(({ first_entry_id: id, ...r }) => ({ ...r, first: firsts.get(id)! })), total: Number(total.rows[0]!.n) };
}
