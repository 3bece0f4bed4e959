import type { Queryable } from '../queryable';
import type { PointsBand, ServiceTerm } from '../../domain/sales-points/catalogue';
import type { CatalogueService } from '../../domain/sales-points/entries';

/** The service catalogue's SQL: services, their effective-dated terms, the band finance set. */

export interface ServiceRow {
  code: string;
  name: string;
  retired_on: string | null;
  updated_by: string;
  updated_at: Date;
}
export interface TermRow {
  service_code: string;
  effective_from: string;
  monthly_tariff: string;
  points: string;
  requires_usage: boolean;
  reason: string | null;
  set_by: string;
  set_at: Date;
}

const SERVICE_COLUMNS = `code, name, to_char(retired_on, 'YYYY-MM-DD') AS retired_on, updated_by, updated_at`;
const TERM_COLUMNS = `service_code, to_char(effective_from, 'YYYY-MM-DD') AS effective_from, monthly_tariff, points, requires_usage, reason, set_by, set_at`;

export const toTerm = (t: TermRow): ServiceTerm & { setBy: string; setAt: string } => ({
  effectiveFrom: t.effective_from, monthlyTariff: Number(t.monthly_tariff), points: Number(t.points), requiresUsage: t.requires_usage,
  reason: t.reason, setBy: t.set_by, setAt: t.set_at.toISOString(),
});

/** Puts a service by its code: made, changed (name, retirement day) or found as given. */
export async function putService(q: Queryable, s: { code: string; name: string; retiredOn: string | null; by: string }): Promise<{ created: boolean; changed: boolean }> {
  const { rows: [row] } = await q.query<{ created: boolean }>(
    `INSERT INTO sales_services (code, name, retired_on, updated_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, retired_on = EXCLUDED.retired_on, updated_by = EXCLUDED.updated_by, updated_at = now()
       WHERE (sales_services.name, sales_services.retired_on) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.retired_on)
     RETURNING (xmax = 0) AS created`, [s.code, s.name, s.retiredOn, s.by]);
  return { created: row?.created ?? false, changed: row !== undefined };
}

export const service = async (q: Queryable, code: string): Promise<ServiceRow | undefined> =>
  (await q.query<ServiceRow>(`SELECT ${SERVICE_COLUMNS} FROM sales_services WHERE code = $1`, [code])).rows[0];

export const allServices = async (q: Queryable): Promise<ServiceRow[]> =>
  (await q.query<ServiceRow>(`SELECT ${SERVICE_COLUMNS} FROM sales_services ORDER BY code`)).rows;

/** Terms, oldest first: of one service, or of every service. */
export async function serviceTerms(q: Queryable, code?: string): Promise<TermRow[]> {
  const { rows } = await q.query<TermRow>(
    `SELECT ${TERM_COLUMNS} FROM sales_service_terms WHERE ($1::text IS NULL OR service_code = $1) ORDER BY service_code, effective_from`, [code ?? null]);
  return rows;
}

/** A new term, or the one already set for that day (unchanged: the caller compares). */
export async function addTerm(q: Queryable, code: string, t: Omit<ServiceTerm, 'reason'> & { reason: string | null; by: string }): Promise<{ created: boolean; row: TermRow }> {
  const inserted = await q.query<TermRow>(
    `INSERT INTO sales_service_terms (service_code, effective_from, monthly_tariff, points, requires_usage, reason, set_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING ${TERM_COLUMNS}`,
    [code, t.effectiveFrom, t.monthlyTariff, t.points, t.requiresUsage, t.reason, t.by]);
  if (inserted.rows[0]) return { created: true, row: inserted.rows[0] };
  const { rows: [row] } = await q.query<TermRow>(`SELECT ${TERM_COLUMNS} FROM sales_service_terms WHERE service_code = $1 AND effective_from = $2`, [code, t.effectiveFrom]);
  return { created: false, row: row! };
}

/** The band finance set for points, as fractions of the tariff. */
export async function pointsBand(q: Queryable): Promise<PointsBand> {
  const { rows: [row] } = await q.query<{ band_low: string; band_high: string }>('SELECT band_low, band_high FROM sales_points_settings');
  return { low: Number(row?.band_low ?? 0.2), high: Number(row?.band_high ?? 0.3) };
}

/** The catalogue as sales are checked against it: each service's retirement day and its terms' days. */
export async function catalogueForSales(q: Queryable, codes?: readonly string[]): Promise<Map<string, CatalogueService>> {
  const { rows } = await q.query<{ code: string; retired_on: string | null; days: string[] | null }>(
    `SELECT s.code, to_char(s.retired_on, 'YYYY-MM-DD') AS retired_on,
            array_agg(to_char(t.effective_from, 'YYYY-MM-DD')) FILTER (WHERE t.effective_from IS NOT NULL) AS days
       FROM sales_services s LEFT JOIN sales_service_terms t ON t.service_code = s.code
      WHERE $1::text[] IS NULL OR s.code = ANY($1)
      GROUP BY s.code`, [codes ?? null]);
  return new Map(rows.map((r) => [r.code, { code: r.code, retiredOn: r.retired_on, terms: (r.days ?? []).map((d) => ({ effectiveFrom: d })) }]));
}

/**
 * The months among these (YYYY-MM-01 days) that take no more sales, with why: their run has begun
 * (`importing`, `reconciled`: the books are being closed, and a sale recorded now would never be
 * matched) or is over (`closed`). The cut-off is the run's start, 02:00 on the 1st.
 */
export async function monthsShut(q: Queryable, monthStarts: readonly string[]): Promise<Map<string, string>> {
  if (!monthStarts.length) return new Map();
  const { rows } = await q.query<{ month: string; status: string }>(
    `SELECT to_char(month, 'YYYY-MM') AS month, status FROM sales_point_runs WHERE month = ANY($1::date[])`, [monthStarts]);
  return new Map(rows.map((r) => [r.month, r.status]));
}

/** Why a month takes no more sales, in words (monthsShut's status). */
export const shutMessage = (month: string, status: string): string => (status === 'closed'
  ? `the month ${month} is closed: no sale is recorded in it`
  : `the month ${month} is being reconciled (its run has begun): no sale is recorded in it any more`);

/** The closed months among these (YYYY-MM-01 days): what no write may touch. */
export async function closedMonths(q: Queryable, monthStarts: readonly string[]): Promise<Set<string>> {
  if (!monthStarts.length) return new Set();
  const { rows } = await q.query<{ month: string }>(
    `SELECT to_char(month, 'YYYY-MM') AS month FROM sales_point_runs WHERE status = 'closed' AND month = ANY($1::date[])`, [monthStarts]);
  return new Set(rows.map((r) => r.month));
}
