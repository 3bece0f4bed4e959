import type { Queryable } from '../queryable';
import { monthStart, type Month } from '../../domain/sales-points/month';
import { fromCents, toCents, type BudgetOver, type RunTotals } from '../../domain/sales-points/reconciliation';
import { readRun } from './run-sql';
import { outcomeJoins, outcomeOf } from './outcome-sql';

/** A staff member's month: every sale and what billing said of it, every ledger row, the budgets that applied, the total. */
export interface Statement {
  staff: { id: string; name: string; outlet: string; area: string | null; department: string | null };
  month: Month;
  closed: boolean;
  runStatus: string | null;
  entries: {
    entryId: number; soldOn: string; serviceCode: string; serviceName: string; saleChannel: string;
    outcome: string | null; reason: string | null; detail: string | null; points: number;
  }[];
  ledger: {
    id: number; kind: string; points: number; entryId: number | null; entryIds: number[] | null; serviceCode: string | null; refersTo: number | null;
    refersToMonth: string | null; disputeId: number | null; complaintOrderId: string | null; reason: string; createdAt: string;
  }[];
  budgets: { scopeKind: string; scopeCode: string; points: number; overrunPolicy: string; over: BudgetOver | null }[];
  total: number;
}

export async function readStatement(q: Queryable, staffId: string, month: Month, timeZone: string): Promise<Statement | undefined> {
  const { rows: [staff] } = await q.query<{ id: string; name: string; outlet: string; area: string | null; department: string | null }>(
    `SELECT s.id, s.name, s.outlet, a.code AS area, a.parent AS department
       FROM staff s LEFT JOIN sales_org_units o ON o.code = s.outlet LEFT JOIN sales_org_units a ON a.code = o.parent WHERE s.id = $1`, [staffId]);
  if (!staff) return undefined;
  const start = monthStart(month);
  const [entries, ledger, budgets, run] = await Promise.all([
    q.query<{ id: string; sold_on: string; service_code: string; name: string; sale_channel: string; outcome: string | null; reason: string | null; detail: string | null; points: string }>(
      `WITH sold AS (SELECT * FROM sales_entries e WHERE e.staff_id = $1 AND e.month = $2::date),
       -- each sale's ledger rows, all months, a grouped credit's share (points_ledger_by_sale): all
       -- of them the sale's staff member's, of its month or later
       credit AS (
         SELECT l.entry_id, l.id, l.kind, l.points,
                CASE WHEN l.kind = 'sale' THEN 'credited by ledger row #' || l.id || ': ' || l.reason ELSE l.reason END AS reason
           FROM points_ledger_by_sale l
          WHERE l.staff_id = $1 AND l.month >= $2::date AND l.entry_id IN (SELECT id FROM sold)
            AND l.kind IN ('sale', 'usage-credit', 'adjustment', 'clawback')
       ), by_sale AS (
         -- a matched sale's detail is its ledger row's (it has no match row: outcome-sql.ts): its
         -- sale credit, or the usage credit or adjustment that paid it instead
         SELECT entry_id, sum(points) AS points,
                (array_agg(reason ORDER BY kind = 'sale' DESC, id) FILTER (WHERE kind <> 'clawback'))[1] AS detail
           FROM credit GROUP BY entry_id
       )
       SELECT e.id, to_char(e.sold_at AT TIME ZONE $3::text, 'YYYY-MM-DD') AS sold_on, e.service_code, s.name, e.sale_channel, ${outcomeOf()} AS outcome, m.reason,
              coalesce(m.detail, c.detail) AS detail, coalesce(c.points, 0)::text AS points
         FROM sold e JOIN sales_services s ON s.code = e.service_code ${outcomeJoins('e')}
         LEFT JOIN by_sale c ON c.entry_id = e.id
        ORDER BY e.sold_at, e.id`, [staffId, start, timeZone]),
    q.query<{ id: string; kind: string; points: string; entry_id: string | null; entry_ids: string[] | null; service_code: string | null; refers_to: string | null; refers_month: string | null; dispute_id: string | null; complaint_order_id: string | null; reason: string; created_at: Date }>(
      `SELECT l.id, l.kind, l.points::text, l.entry_id, l.entry_ids::text[], l.service_code, l.refers_to, to_char(o.month, 'YYYY-MM') AS refers_month, l.dispute_id, l.complaint_order_id, l.reason, l.created_at
         FROM points_ledger l LEFT JOIN points_ledger o ON o.id = l.refers_to
        WHERE l.staff_id = $1 AND l.month = $2::date ORDER BY l.id`, [staffId, start]),
    // the budget each of the month's scopes fell under: its area's, else its department's
    q.query<{ scope_kind: string; scope_code: string; points: string; overrun_policy: string }>(
      `SELECT DISTINCT b.scope_kind, b.scope_code, b.points::text, b.overrun_policy
         FROM (SELECT DISTINCT area, department FROM points_ledger WHERE staff_id = $1 AND month = $2::date) s
         JOIN LATERAL (
           SELECT * FROM points_budgets b WHERE b.month = $2::date
              AND ((b.scope_kind = 'area' AND b.scope_code = s.area) OR (b.scope_kind = 'department' AND b.scope_code = s.department))
            ORDER BY b.scope_kind = 'area' DESC LIMIT 1) b ON true
        ORDER BY 1, 2`, [staffId, start]),
    readRun(q, month),
  ]);
  const over = (run?.totals as RunTotals | null)?.budgetsOver ?? [];
  return {
    staff, month, closed: run?.status === 'closed', runStatus: run?.status ?? null,
    entries: entries.rows.map((e) => ({
      entryId: Number(e.id), soldOn: e.sold_on, serviceCode: e.service_code, serviceName: e.name, saleChannel: e.sale_channel,
      outcome: e.outcome, reason: e.reason, detail: e.detail, points: fromCents(toCents(e.points)),
    })),
    ledger: ledger.rows.map((l) => ({
      id: Number(l.id), kind: l.kind, points: fromCents(toCents(l.points)), entryId: l.entry_id === null ? null : Number(l.entry_id),
      entryIds: l.entry_ids?.map(Number) ?? null, serviceCode: l.service_code,
      refersTo: l.refers_to === null ? null : Number(l.refers_to), refersToMonth: l.refers_month, disputeId: l.dispute_id === null ? null : Number(l.dispute_id),
      complaintOrderId: l.complaint_order_id, reason: l.reason, createdAt: l.created_at.toISOString(),
    })),
    budgets: budgets.rows.map((b) => ({
      scopeKind: b.scope_kind, scopeCode: b.scope_code, points: Number(b.points), overrunPolicy: b.overrun_policy,
      over: over.find((o) => o.scopeKind === b.scope_kind && o.scopeCode === b.scope_code) ?? null,
    })),
    total: fromCents(ledger.rows.reduce((sum, l) => sum + toCents(l.points), 0)),
  };
}
