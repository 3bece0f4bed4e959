import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/queryable';
import { outcomeJoins, outcomeOf } from '../../db/sales-points/outcome-sql';

/**
 * Sales-points facts written straight to their tables (the organisation, the catalogue, sales,
 * billing's imports, complaints, budgets), so a test of the reconciliation sets up exactly what
 * it needs. Every code gets the test's own prefix: test files share one database.
 */

export const tag = () => randomUUID().replace(/-/g, '').slice(0, 8);

export interface Org { department: string; area: string; outlet: string }

/** A department holding one area holding one outlet (or another area/outlet under an existing department). */
export async function makeOrg(db: Queryable, prefix: string, under?: { department: string }): Promise<Org> {
  const org = { department: under?.department ?? `${prefix}-dep`, area: `${prefix}-area`, outlet: `${prefix}-out` };
  if (!under) await db.query(`INSERT INTO sales_org_units (code, kind, name) VALUES ($1, 'department', $1)`, [org.department]);
  await db.query(`INSERT INTO sales_org_units (code, kind, name, parent) VALUES ($1, 'area', $1, $2)`, [org.area, org.department]);
  await db.query(`INSERT INTO sales_org_units (code, kind, name, parent, channel) VALUES ($1, 'outlet', $1, $2, 'partner')`, [org.outlet, org.area]);
  return org;
}

export async function makeStaff(db: Queryable, id: string, org: Org, opts: { name?: string; bank?: string | null } = {}): Promise<string> {
  await db.query(`INSERT INTO staff (id, name, outlet, bank_account_ref, updated_by) VALUES ($1, $2, $3, $4, 'test')`,
    [id, opts.name ?? `Name of ${id}`, org.outlet, opts.bank === undefined ? `bank-${id}` : opts.bank]);
  return id;
}

export interface Term { from: string; points: number; requiresUsage?: boolean; tariff?: number }

/** A service and its terms, each from its day. */
export async function makeService(db: Queryable, code: string, terms: Term[]): Promise<string> {
  await db.query(`INSERT INTO sales_services (code, name, updated_by) VALUES ($1, $2, 'test')`, [code, `Service ${code}`]);
  for (const t of terms) {
    await db.query(
      `INSERT INTO sales_service_terms (service_code, effective_from, monthly_tariff, points, requires_usage, set_by) VALUES ($1, $2, $3, $4, $5, 'test')`,
      [code, t.from, t.tariff ?? t.points * 4, t.points, t.requiresUsage ?? false]);
  }
  return code;
}

export interface Sale { service: string; msisdn: string; staff: string; org: Org; soldAt: string; orderId?: string }

/** A sale recorded, its month the operator's (Asia/Shanghai) month of `soldAt`. */
export async function addEntry(db: Queryable, s: Sale): Promise<number> {
  const { rows: [row] } = await db.query<{ id: string }>(
    `INSERT INTO sales_entries (month, service_code, msisdn, staff_id, outlet, area, department, channel, sale_channel, source, order_id, sold_at, recorded_by)
     VALUES (date_trunc('month', $6::timestamptz AT TIME ZONE 'Asia/Shanghai')::date, $1, $2, $3, $4, $5, $7, 'partner', 'shop', 'staff', $8, $6, 'test')
     RETURNING id`,
    [s.service, s.msisdn, s.staff, s.org.outlet, s.org.area, s.soldAt, s.org.department, s.orderId ?? null]);
  return Number(row!.id);
}

export interface Line { msisdn: string; service: string; activatedOn: string; cancelledOn?: string | null; used?: boolean }

/** Billing's list of a month (YYYY-MM), as an import would have loaded it. */
export async function addImport(db: Queryable, month: string, lines: Line[]): Promise<number> {
  const { rows: [imp] } = await db.query<{ id: string }>(
    `INSERT INTO billing_imports (month, source, sha256, encoding, rows, imported_by) VALUES ($1::date, 'upload', $2, 'utf-8', $3, 'test') RETURNING id`,
    [`${month}-01`, randomUUID(), lines.length]);
  const id = Number(imp!.id);
  await db.query(`CREATE TABLE billing_lines_${id} PARTITION OF billing_lines FOR VALUES IN (${id})`);
  await db.query(
    `INSERT INTO billing_lines (import_id, msisdn, service_code, activated_on, cancelled_on, used)
     SELECT $1, m, s, a, c, u FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS x(m, s, a, c, u)`,
    [id, lines.map((l) => l.msisdn), lines.map((l) => l.service), lines.map((l) => l.activatedOn), lines.map((l) => l.cancelledOn ?? null), lines.map((l) => String(l.used ?? true))]);
  return id;
}

/** An order of a scratch customer (region 'mo') and a complaint against it at `at`. */
export async function addComplaint(db: Queryable, orderId: string, at: string, opts: { staffId?: string; offer?: string } = {}): Promise<void> {
  await db.query(
    `INSERT INTO orders (id, customer_id, region, offer_code, status, stage, address, channel, staff_id)
     VALUES ($1, 100001, 'mo', $2, 'completed', 'done', 'addr', 'api', $3) ON CONFLICT (id) DO NOTHING`,
    [orderId, opts.offer ?? 'none', opts.staffId ?? null]);
  await db.query(`INSERT INTO complaints (order_id, reason, at) VALUES ($1, 'rude at the door', $2)`, [orderId, at]);
}

/** An order for a sale to name (sales_entries.order_id), before the sale is added. */
export async function addOrder(db: Queryable, orderId: string, offer: string): Promise<string> {
  await db.query(
    `INSERT INTO orders (id, customer_id, region, offer_code, status, stage, address, channel) VALUES ($1, 100001, 'mo', $2, 'completed', 'done', 'addr', 'api')`,
    [orderId, offer]);
  return orderId;
}

export async function setBudget(db: Queryable, month: string, scopeKind: 'area' | 'department', scopeCode: string, points: number, policy: string): Promise<void> {
  await db.query(
    `INSERT INTO points_budgets (month, scope_kind, scope_code, points, overrun_policy, set_by) VALUES ($1::date, $2, $3, $4, $5, 'test')
     ON CONFLICT (month, scope_kind, scope_code) DO UPDATE SET points = EXCLUDED.points, overrun_policy = EXCLUDED.overrun_policy`,
    [`${month}-01`, scopeKind, scopeCode, points, policy]);
}

export interface LedgerRow {
  id: number; month: string; runMonth: string | null; staffId: string; kind: string; points: number; entryId: number | null;
  /** A month's sales credit (migration 039): the sales it credits */
  entryIds: number[] | null; refersTo: number | null; reason: string;
}

/** A staff member's ledger rows (all months), in order. */
export async function ledgerOf(db: Queryable, staffIds: string[]): Promise<LedgerRow[]> {
  const { rows } = await db.query<{ id: string; month: string; run_month: string | null; staff_id: string; kind: string; points: string; entry_id: string | null; entry_ids: string[] | null; refers_to: string | null; reason: string }>(
    `SELECT id, to_char(month, 'YYYY-MM') AS month, to_char(run_month, 'YYYY-MM') AS run_month, staff_id, kind, points, entry_id, entry_ids::text[], refers_to, reason
       FROM points_ledger WHERE staff_id = ANY($1) ORDER BY id`, [staffIds]);
  return rows.map((r) => ({
    id: Number(r.id), month: r.month, runMonth: r.run_month, staffId: r.staff_id, kind: r.kind, points: Number(r.points),
    entryId: r.entry_id === null ? null : Number(r.entry_id), entryIds: r.entry_ids?.map(Number) ?? null,
    refersTo: r.refers_to === null ? null : Number(r.refers_to), reason: r.reason,
  }));
}

export interface SaleLedgerRow { id: number; month: string; kind: string; points: number; entryId: number }

/** The ledger rows of the staff members' sales once per sale (points_ledger_by_sale: a grouped credit's share each), by sale, then row. */
export async function saleCreditsOf(db: Queryable, staffIds: string[]): Promise<SaleLedgerRow[]> {
  const { rows } = await db.query<{ id: string; month: string; kind: string; points: string; entry_id: string }>(
    `SELECT id, to_char(month, 'YYYY-MM') AS month, kind, points, entry_id FROM points_ledger_by_sale WHERE staff_id = ANY($1) ORDER BY entry_id, id`, [staffIds]);
  return rows.map((r) => ({ id: Number(r.id), month: r.month, kind: r.kind, points: Number(r.points), entryId: Number(r.entry_id) }));
}

export async function matchOf(db: Queryable, entryId: number): Promise<{ outcome: string; reason: string | null; detail: string | null } | undefined> {
  const { rows: [m] } = await db.query<{ outcome: string; reason: string | null; detail: string | null }>(
    `SELECT ${outcomeOf()} AS outcome, m.reason, m.detail FROM sales_entries e ${outcomeJoins('e')} WHERE e.id = $1 AND ${outcomeOf()} IS NOT NULL`, [entryId]);
  return m;
}
