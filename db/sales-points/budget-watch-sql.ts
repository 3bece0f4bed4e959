import type { Queryable } from '../queryable';
import { monthOfDay, monthStart, type Month } from '../../domain/sales-points/month';
import { BUDGET_ALERT_KIND, BUDGET_ALERT_LEVELS } from '../../domain/sales-points/run';

/**
 * Points accrue provisionally during the month (docs/sales-points.md, Budget watch): a sale counts
 * once its order is activated (and not deactivated since) or when a person recorded it (POST /sales,
 * the CSV), for the points of its service's terms in force on the day it was sold (in the operator's
 * zone). Billing's list decides at month end; this is the running estimate the 80% and 100% alerts
 * read. $1: the months (first days), $2: the time zone.
 */
const USAGE_SQL = `
  SELECT b.month, b.scope_kind, b.scope_code, b.points AS budget, b.overrun_policy,
         COALESCE(sum(t.points), 0) AS provisional, count(e.id)::int AS sales
    FROM points_budgets b
    LEFT JOIN sales_entries e
      ON e.month = b.month
     AND (CASE b.scope_kind WHEN 'area' THEN e.area ELSE e.department END) = b.scope_code
     AND (e.source IN ('staff', 'csv')
          OR EXISTS (SELECT 1 FROM orders o WHERE o.id = e.order_id AND o.activated_at IS NOT NULL AND o.deactivated_at IS NULL))
    LEFT JOIN LATERAL (
      SELECT st.points FROM sales_service_terms st
       WHERE st.service_code = e.service_code AND st.effective_from <= (e.sold_at AT TIME ZONE $2)::date
       ORDER BY st.effective_from DESC LIMIT 1) t ON true
   WHERE b.month = ANY($1::date[])
   GROUP BY b.month, b.scope_kind, b.scope_code, b.points, b.overrun_policy`;

export interface BudgetUsage {
  month: Month;
  scopeKind: 'area' | 'department';
  scopeCode: string;
  budget: number;
  overrunPolicy: string;
  /** Points accrued provisionally so far. */
  provisional: number;
  /** The sales they come from. */
  sales: number;
  /** provisional / budget. */
  share: number;
}

interface UsageRow { month: Date; scope_kind: 'area' | 'department'; scope_code: string; budget: string; overrun_policy: string; provisional: string; sales: number }

/** Each budget of the month with its provisional points. */
export async function budgetUsage(q: Queryable, month: Month, timeZone: string): Promise<BudgetUsage[]> {
  const { rows } = await q.query<UsageRow>(`${USAGE_SQL} ORDER BY b.scope_kind, b.scope_code`, [[monthStart(month)], timeZone]);
  return rows.map((r) => ({
    month: monthOfDay(r.month), scopeKind: r.scope_kind, scopeCode: r.scope_code, budget: Number(r.budget), overrunPolicy: r.overrun_policy,
    provisional: Number(r.provisional), sales: r.sales, share: Number(r.provisional) / Number(r.budget),
  }));
}

/**
 * Raises the alerts every budget of these months has reached (80%, 100%), each once: one statement,
 * so two watches at once raise nothing twice. A closed month is left alone. The new alerts' ids.
 */
export async function raiseBudgetAlerts(q: Queryable, months: Month[], timeZone: string): Promise<number[]> {
  const { rows } = await q.query<{ id: string }>(
    `WITH usage AS (${USAGE_SQL}),
          levels AS (SELECT * FROM unnest($3::text[], $4::numeric[]) AS l(level, share))
     INSERT INTO alerts (kind, subject, level, message)
     SELECT $5, to_char(u.month, 'YYYY-MM') || '/' || u.scope_kind || '/' || u.scope_code, l.level,
            format('Points budget %s of %s %s: %s of %s points accrued provisionally (%s%%); past 100%% the policy is %s',
                   to_char(u.month, 'YYYY-MM'), u.scope_kind, u.scope_code, u.provisional::float8, u.budget::float8,
                   round(100 * u.provisional / u.budget), u.overrun_policy)
       FROM usage u JOIN levels l ON u.provisional >= u.budget * l.share
      WHERE NOT EXISTS (SELECT 1 FROM sales_point_runs r WHERE r.month = u.month AND r.status = 'closed')
      ORDER BY u.month, u.scope_kind, u.scope_code, l.share
     ON CONFLICT (kind, subject, level) DO NOTHING
     RETURNING id`,
    [months.map(monthStart), timeZone, BUDGET_ALERT_LEVELS.map((l) => l.level), BUDGET_ALERT_LEVELS.map((l) => l.share), BUDGET_ALERT_KIND]);
  return rows.map((r) => Number(r.id));
}
