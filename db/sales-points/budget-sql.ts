import type { Queryable } from '../queryable';
import { addMonths, monthStart, type Month } from '../../domain/sales-points/month';
import {
  BUDGETED_KINDS, applyBudget, budgetRowReason, toCents, type BudgetOver, type OverrunPolicy, type ScopeCredits,
} from '../../domain/sales-points/reconciliation';

/**
 * Each staff member's budgeted credits of the month per budget scope: a row's area budget when
 * its area has one, else its department's; rows under neither are under no budget.
 */
const SCOPE_CREDITS = `
WITH credits AS (
  SELECT staff_id, outlet, area, department, sum(points) AS points
    FROM points_ledger WHERE month = $1::date AND kind = ANY($2::text[])
   GROUP BY staff_id, outlet, area, department
)
SELECT b.scope_kind, b.scope_code, b.points::text AS budget, b.overrun_policy, c.staff_id,
       sum(c.points)::text AS credits, min(c.outlet) AS outlet, min(c.area) AS area, min(c.department) AS department
  FROM credits c
  JOIN LATERAL (
    SELECT * FROM points_budgets b
     WHERE b.month = $1::date AND ((b.scope_kind = 'area' AND b.scope_code = c.area) OR (b.scope_kind = 'department' AND b.scope_code = c.department))
     ORDER BY b.scope_kind = 'area' DESC LIMIT 1
  ) b ON true
 GROUP BY b.scope_kind, b.scope_code, b.points, b.overrun_policy, c.staff_id
 ORDER BY b.scope_kind, b.scope_code, c.staff_id`;

interface ScopeRow {
  scope_kind: 'area' | 'department'; scope_code: string; budget: string; overrun_policy: OverrunPolicy;
  staff_id: string; credits: string; outlet: string; area: string; department: string;
}

/**
 * The month's budgets applied to what the run credited (sales, usage credits, points carried in):
 * the policy's rows written (budget-cut; carried-over here and carried-in next month, both of this
 * run), and each scope over its budget returned for the run's totals. Carry-over into a closed
 * month is impossible: the month then pays in full and says so.
 */
export async function applyBudgets(tx: Queryable, month: Month, nextMonthClosed: boolean): Promise<BudgetOver[]> {
  const { rows } = await tx.query<ScopeRow>(SCOPE_CREDITS, [monthStart(month), BUDGETED_KINDS]);
  const scopes = new Map<string, ScopeCredits & { org: Map<string, ScopeRow> }>();
  for (const r of rows) {
    const key = `${r.scope_kind}/${r.scope_code}`;
    let scope = scopes.get(key);
    if (!scope) {
      scope = { scopeKind: r.scope_kind, scopeCode: r.scope_code, budget: toCents(r.budget), policy: r.overrun_policy, staff: [], org: new Map() };
      scopes.set(key, scope);
    }
    scope.staff.push({ staffId: r.staff_id, credits: toCents(r.credits) });
    scope.org.set(r.staff_id, r);
  }
  const over: BudgetOver[] = [];
  const write = { month: [] as string[], staff: [] as string[], kind: [] as string[], points: [] as string[], outlet: [] as string[], area: [] as string[], department: [] as string[], reason: [] as string[] };
  for (const scope of scopes.values()) {
    const applied = applyBudget(scope, month, nextMonthClosed);
    if (!applied) continue;
    over.push(applied.over);
    for (const row of applied.rows) {
      const org = scope.org.get(row.staffId)!;
      write.month.push(monthStart(row.month));
      write.staff.push(row.staffId);
      write.kind.push(row.kind);
      write.points.push((row.cents / 100).toFixed(2));
      write.outlet.push(org.outlet);
      write.area.push(org.area);
      write.department.push(org.department);
      write.reason.push(budgetRowReason(row, applied.over, month));
    }
  }
  if (write.staff.length) {
    await tx.query(
      `INSERT INTO points_ledger (month, run_month, staff_id, kind, points, outlet, area, department, reason)
       SELECT m, $1::date, s, k, p, o, a, d, r
         FROM unnest($2::date[], $3::text[], $4::text[], $5::numeric[], $6::text[], $7::text[], $8::text[], $9::text[]) AS x(m, s, k, p, o, a, d, r)`,
      [monthStart(month), write.month, write.staff, write.kind, write.points, write.outlet, write.area, write.department, write.reason]);
  }
  return over;
}

/** Whether the month after this one is closed (carry-over then stays in this month). */
export async function nextMonthIsClosed(q: Queryable, month: Month): Promise<boolean> {
  const { rowCount } = await q.query(`SELECT 1 FROM sales_point_runs WHERE month = $1::date AND status = 'closed'`, [monthStart(addMonths(month, 1))]);
  return (rowCount ?? 0) > 0;
}
