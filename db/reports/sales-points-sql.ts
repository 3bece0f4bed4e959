import type { Queryable } from '../queryable';
import {
  SALES_COUNT_NAMES, type SalesCount, type SalesCounts, type SalesDimension, type StaffSales,
} from '../../domain/reports/sales-points';
import { monthStart, type Month } from '../../domain/sales-points/month';
import { MAX_GROUPS, TooManyGroups } from './report-sql';
import { outcomeJoins, outcomeOf } from '../sales-points/outcome-sql';

/** A sales-points report's question: months (inclusive), grouping, filters, the operator's zone. */
export interface SalesReportQuery {
  from: Month;
  to: Month;
  groupBy: SalesDimension[];
  filters: Partial<Record<SalesDimension, string>>;
  timeZone: string;
}

export interface SalesReportRow {
  group: Partial<Record<SalesDimension, string>>;
  counts: SalesCounts;
}

/** Each dimension as a column of the facts below. */
const KEY: Record<SalesDimension, string> = {
  staff: 'staff_id', outlet: 'outlet', area: 'area', department: 'department', channel: 'channel', service: 'service_code',
  month: `to_char(month, 'YYYY-MM')`,
};

/** The points of a service's terms in force on a sale's day (alias e: the sale; $tz the zone). */
const termPoints = (zone: string, when: string) => `LEFT JOIN LATERAL (
    SELECT t.points FROM sales_service_terms t
     WHERE ${when} AND t.service_code = e.service_code AND t.effective_from <= (e.sold_at AT TIME ZONE ${zone})::date
     ORDER BY t.effective_from DESC LIMIT 1) term ON true`;

/**
 * Every fact of the months $1..$2 as one row each: a sale (its match, or its provisional points
 * when its month is not reconciled), and each ledger row (its points by kind). The columns are the
 * dimensions, then the counts in SALES_COUNT_NAMES order but totalPoints, which is their sum.
 */
const FACTS = `
  SELECT e.month, e.staff_id, e.outlet, e.area, e.department, e.channel, e.service_code,
         1 AS sales, (${outcomeOf()} IS NOT NULL)::int AS reconciled, (${outcomeOf()} IN ('matched', 'awaiting-usage'))::int AS matched,
         (m.outcome = 'awaiting-usage')::int AS awaiting_usage, (m.outcome = 'unmatched')::int AS unmatched,
         0::numeric AS earned, 0::numeric AS complaint, 0::numeric AS clawback, 0::numeric AS adjustment, 0::numeric AS budget,
         COALESCE(term.points, 0) AS provisional
    FROM sales_entries e ${outcomeJoins('e')}
    ${termPoints('$3', `${outcomeOf()} IS NULL`)}
   WHERE e.month BETWEEN $1::date AND $2::date
  UNION ALL
  SELECT l.month, l.staff_id, l.outlet, l.area, l.department, COALESCE(e.channel, l.channel, u.channel, ''), COALESCE(l.service_code, ''),
         0, 0, 0, 0, 0,
         CASE WHEN l.kind IN ('sale', 'usage-credit') THEN l.points ELSE 0 END,
         CASE WHEN l.kind = 'complaint' THEN l.points ELSE 0 END,
         CASE WHEN l.kind = 'clawback' THEN l.points ELSE 0 END,
         CASE WHEN l.kind = 'adjustment' THEN l.points ELSE 0 END,
         CASE WHEN l.kind IN ('budget-cut', 'carried-over', 'carried-in') THEN l.points ELSE 0 END,
         0
    FROM points_ledger l LEFT JOIN sales_entries e ON e.id = l.entry_id LEFT JOIN sales_org_units u ON u.code = l.outlet
   WHERE l.month BETWEEN $1::date AND $2::date`;

const SUMS: Record<SalesCount, string> = {
  sales: 'sum(sales)', reconciled: 'sum(reconciled)', matched: 'sum(matched)', awaitingUsage: 'sum(awaiting_usage)', unmatched: 'sum(unmatched)',
  earnedPoints: 'sum(earned)', complaintPoints: 'sum(complaint)', clawbackPoints: 'sum(clawback)', adjustmentPoints: 'sum(adjustment)',
  budgetPoints: 'sum(budget)', totalPoints: 'sum(earned + complaint + clawback + adjustment + budget)', provisionalPoints: 'sum(provisional)',
};

/** The report's SQL: $1, $2 the months' first days, $3 the zone, then one per filter. */
export function salesReportSql(q: SalesReportQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [monthStart(q.from), monthStart(q.to), q.timeZone];
  const where = Object.entries(q.filters).map(([dim, value]) => {
    params.push(value);
    return `${KEY[dim as SalesDimension]} = $${params.length}`;
  });
  const keys = q.groupBy.map((k, i) => `${KEY[k]} AS k${i}`);
  const select = [...keys, ...SALES_COUNT_NAMES.map((n) => `COALESCE(${SUMS[n]}, 0) AS "${n}"`)];
  const grouping = keys.length ? `GROUP BY ${q.groupBy.map((k) => KEY[k]).join(', ')} ORDER BY ${keys.map((_, i) => `k${i}`).join(', ')}` : '';
  return {
    sql: `SELECT ${select.join(', ')} FROM (${FACTS}) f ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${grouping} LIMIT ${MAX_GROUPS + 1}`,
    params,
  };
}

/** The report's groups (no row for a period with nothing when not grouped: all zero). */
export async function readSalesReport(db: Queryable, q: SalesReportQuery): Promise<SalesReportRow[]> {
  const { sql, params } = salesReportSql(q);
  const { rows } = await db.query<Record<string, string>>(sql, params);
  if (rows.length > MAX_GROUPS) throw new TooManyGroups(`more than ${MAX_GROUPS} groups`);
  return rows.map((r) => ({
    group: Object.fromEntries(q.groupBy.map((k, i) => [k, r[`k${i}`] ?? ''])),
    counts: Object.fromEntries(SALES_COUNT_NAMES.map((n) => [n, Number(r[n])])) as SalesCounts,
  }));
}

/** Where standings look: everyone, or one department, area or outlet. */
export type StandingScope = { kind: 'all' } | { kind: 'department' | 'area' | 'outlet'; code: string };

/**
 * Each staff member's sums over the sales made from `fromDay` to `toDay` (the sale's day in the
 * zone; domain/reports/sales-points.ts STANDING_METRICS says what counts), with their name and
 * outlet. Only staff with a sale in the period are listed.
 */
export async function readStaffSales(
  db: Queryable, p: { fromDay: string; toDay: string; scope: StandingScope; timeZone: string },
): Promise<Array<StaffSales & { name: string; outlet: string }>> {
  const params: unknown[] = [p.fromDay, p.toDay, p.timeZone];
  let scope = '';
  if (p.scope.kind !== 'all') {
    params.push(p.scope.code);
    scope = `AND e.${p.scope.kind} = $4`;
  }
  const { rows } = await db.query<{ staff_id: string; name: string; outlet: string; sales: string; matched: string; points: string }>(
    `WITH sold AS (
       SELECT e.id, e.staff_id, e.service_code, e.sold_at, ${outcomeOf()} AS outcome
         FROM sales_entries e ${outcomeJoins('e')}
        WHERE e.month BETWEEN date_trunc('month', $1::date)::date AND $2::date
          AND (e.sold_at AT TIME ZONE $3)::date BETWEEN $1::date AND $2::date ${scope}
     ), credited AS (
       SELECT l.entry_id, sum(l.points) AS points FROM points_ledger_by_sale l JOIN sold s ON s.id = l.entry_id
        WHERE l.kind IN ('sale', 'usage-credit', 'clawback', 'adjustment') AND l.month >= date_trunc('month', $1::date)::date
          -- the period's sellers' rows only (a grouped credit is unnested for them alone)
          AND l.staff_id = ANY(ARRAY(SELECT DISTINCT staff_id FROM sold))
        GROUP BY l.entry_id
     )
     SELECT e.staff_id, st.name, st.outlet, count(*) AS sales,
            count(*) FILTER (WHERE e.outcome IN ('matched', 'awaiting-usage')) AS matched,
            COALESCE(sum(CASE WHEN e.outcome IS NULL THEN term.points ELSE c.points END), 0) AS points
       FROM sold e JOIN staff st ON st.id = e.staff_id LEFT JOIN credited c ON c.entry_id = e.id
       ${termPoints('$3', 'e.outcome IS NULL')}
      GROUP BY e.staff_id, st.name, st.outlet`,
    params,
  );
  return rows.map((r) => ({ staffId: r.staff_id, name: r.name, outlet: r.outlet, sales: Number(r.sales), matched: Number(r.matched), points: Number(r.points) }));
}
