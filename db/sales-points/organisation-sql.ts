import type { Queryable } from '../queryable';
import type { OrgKind, OrgUnit, OutletChannel, StaffRow } from '../../domain/sales-points/organisation';

/** The organisation's SQL: units (departments, areas, outlets) and staff. */

export interface OrgUnitRow {
  code: string;
  kind: OrgKind;
  name: string;
  parent: string | null;
  channel: OutletChannel | null;
  updated_at: Date;
}

/** What a PUT did to a row: made it, changed it, or found it as asked. */
export type Upserted = 'created' | 'updated' | 'unchanged';

/**
 * Puts a unit by its code: made, changed (name, parent, channel) or left as it is; a code that is a
 * unit of another kind is not touched ('other-kind'). The parent's kind is the caller's to check.
 */
export async function putOrgUnit(q: Queryable, unit: OrgUnit & { name: string }): Promise<{ outcome: Upserted | 'other-kind'; row: OrgUnitRow }> {
  const { rows: [changed] } = await q.query<OrgUnitRow & { created: boolean }>(
    `INSERT INTO sales_org_units (code, kind, name, parent, channel) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, parent = EXCLUDED.parent, channel = EXCLUDED.channel, updated_at = now()
       WHERE sales_org_units.kind = EXCLUDED.kind
         AND (sales_org_units.name, sales_org_units.parent, sales_org_units.channel) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.parent, EXCLUDED.channel)
     RETURNING *, (xmax = 0) AS created`,
    [unit.code, unit.kind, unit.name, unit.parent, unit.channel]);
  if (changed) {
    const { created, ...row } = changed;
    return { outcome: created ? 'created' : 'updated', row };
  }
  const { rows: [row] } = await q.query<OrgUnitRow>('SELECT * FROM sales_org_units WHERE code = $1', [unit.code]);
  return { outcome: row!.kind === unit.kind ? 'unchanged' : 'other-kind', row: row! };
}

export const orgUnit = async (q: Queryable, code: string): Promise<OrgUnitRow | undefined> =>
  (await q.query<OrgUnitRow>('SELECT * FROM sales_org_units WHERE code = $1', [code])).rows[0];

/** Units of a kind, filtered by their parent (an outlet's area) or grandparent (an outlet's department). */
export async function listOrgUnits(q: Queryable, kind: OrgKind, f: { parent?: string; grandparent?: string; channel?: string }): Promise<OrgUnitRow[]> {
  const { rows } = await q.query<OrgUnitRow>(
    `SELECT u.* FROM sales_org_units u LEFT JOIN sales_org_units p ON p.code = u.parent
      WHERE u.kind = $1 AND ($2::text IS NULL OR u.parent = $2) AND ($3::text IS NULL OR p.parent = $3) AND ($4::text IS NULL OR u.channel = $4)
      ORDER BY u.code`,
    [kind, f.parent ?? null, f.grandparent ?? null, f.channel ?? null]);
  return rows;
}

/** Every unit: what a staff file is checked against. */
export async function allOrgUnits(q: Queryable): Promise<Map<string, OrgUnit>> {
  const { rows } = await q.query<OrgUnit>('SELECT code, kind, parent, channel FROM sales_org_units');
  return new Map(rows.map((r) => [r.code, r]));
}

/** Makes the units a staff file brings (named by their code until a PUT names them). */
export async function addOrgUnits(q: Queryable, units: readonly OrgUnit[]): Promise<number> {
  if (!units.length) return 0;
  const { rowCount } = await q.query(
    `INSERT INTO sales_org_units (code, kind, name, parent, channel)
     SELECT code, kind, code, parent, channel FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(code, kind, parent, channel)
     ON CONFLICT (code) DO NOTHING`,
    [units.map((u) => u.code), units.map((u) => u.kind), units.map((u) => u.parent), units.map((u) => u.channel)]);
  return rowCount ?? 0;
}

export interface StaffListRow {
  id: string;
  name: string;
  outlet: string;
  area: string;
  department: string;
  channel: OutletChannel;
  bank_account_ref: string | null;
  active: boolean;
  updated_by: string;
  updated_at: Date;
}

const STAFF_SELECT = `SELECT s.id, s.name, s.outlet, a.code AS area, a.parent AS department, o.channel, s.bank_account_ref, s.active, s.updated_by, s.updated_at
  FROM staff s JOIN sales_org_units o ON o.code = s.outlet JOIN sales_org_units a ON a.code = o.parent`;

export const staffMember = async (q: Queryable, id: string): Promise<StaffListRow | undefined> =>
  (await q.query<StaffListRow>(`${STAFF_SELECT} WHERE s.id = $1`, [id])).rows[0];

export async function listStaff(q: Queryable, f: { outlet?: string; area?: string; department?: string; active?: boolean; limit: number; offset: number }) {
  const where = `WHERE ($1::text IS NULL OR s.outlet = $1) AND ($2::text IS NULL OR a.code = $2) AND ($3::text IS NULL OR a.parent = $3) AND ($4::boolean IS NULL OR s.active = $4)`;
  const params = [f.outlet ?? null, f.area ?? null, f.department ?? null, f.active ?? null];
  const [page, total] = await Promise.all([
    q.query<StaffListRow>(`${STAFF_SELECT} ${where} ORDER BY s.id LIMIT $5 OFFSET $6`, [...params, f.limit, f.offset]),
    q.query<{ n: string }>(`SELECT count(*) AS n FROM staff s JOIN sales_org_units o ON o.code = s.outlet JOIN sales_org_units a ON a.code = o.parent ${where}`, params),
  ]);
  return { rows: page.rows, total: Number(total.rows[0]!.n) };
}

/** Puts staff members by their id: how many were made, changed, or found as given. */
export async function putStaff(q: Queryable, rows: readonly StaffRow[], by: string): Promise<Record<Upserted, number>> {
  const { rows: [counts] } = await q.query<{ created: string; updated: string }>(
    `WITH up AS (
       INSERT INTO staff (id, name, outlet, bank_account_ref, active, updated_by)
       SELECT * , $6 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[])
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, outlet = EXCLUDED.outlet, bank_account_ref = EXCLUDED.bank_account_ref,
                                      active = EXCLUDED.active, updated_by = EXCLUDED.updated_by, updated_at = now()
         WHERE (staff.name, staff.outlet, staff.bank_account_ref, staff.active) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.outlet, EXCLUDED.bank_account_ref, EXCLUDED.active)
       RETURNING (xmax = 0) AS created)
     SELECT count(*) FILTER (WHERE created) AS created, count(*) FILTER (WHERE NOT created) AS updated FROM up`,
    [rows.map((r) => r.id), rows.map((r) => r.name), rows.map((r) => r.outlet), rows.map((r) => r.bankAccountRef), rows.map((r) => r.active), by]);
  const created = Number(counts!.created);
  const updated = Number(counts!.updated);
  return { created, updated, unchanged: rows.length - created - updated };
}
