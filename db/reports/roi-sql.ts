import type { Queryable } from '../queryable';
import type { Dimension } from '../../domain/reports/figures';
import {
  COST_CATEGORY_NAMES, COST_GROUPS, COST_GROUP_NAMES, type CostCategory, type CostGroup, type RoiSums,
} from '../../domain/reports/roi';
import { DAILY_KEY, MAX_GROUPS, TooManyGroups, type ReportQuery } from './report-sql';
import { ORDER_JOINS, localDay, orderKeys } from './rollup-sql';

const KEYS = 'day, campaign_id, offer, team, agent_id, region, city, channel';
const window = (ts: string) => `${ts} >= $1::date - 1 AND ${ts} < $2::date + 2 AND ${localDay(ts)} BETWEEN $1::date AND $2::date`;

/**
 * Every amount of money of the period ($1..$2) as (keys, category, amount, priced): agent hours
 * and telephony from the rollups, deliveries, goods, revenue and refunds from the tables by their
 * day; the sales points of an order's sale (credits, clawbacks, accepted disputes: the ledger rows
 * naming its sales entry, or crediting it among others: points_ledger_by_sale) on the sale's day. `amount` is yuan for costs, revenue and refunds; `priced` false when no rate was set.
 * An agent's day is shared among the rows they called in by their calls.
 */
const MONEY = `
  WITH daily AS (SELECT * FROM report_daily WHERE day BETWEEN $1::date AND $2::date),
  agent_calls AS (SELECT agent_id, day, sum(calls) AS calls FROM daily WHERE agent_id <> '' GROUP BY 1, 2)
  SELECT ${KEYS.split(', ').map((k) => `d.${k}`).join(', ')}, 'agent-hour' AS category,
         extract(epoch FROM ad.last_at - ad.first_at) / 3600 * d.calls / ac.calls * cost_rate('agent-hour', ad.team, d.day) AS amount
    FROM daily d JOIN report_agent_days ad USING (agent_id, day) JOIN agent_calls ac USING (agent_id, day)
   WHERE d.agent_id <> '' AND d.calls > 0 AND ac.calls > 0
  UNION ALL
  SELECT ${KEYS}, 'connected-minute', talk_sec / 60.0 * cost_rate('connected-minute', '', day) FROM daily WHERE talk_sec > 0
  UNION ALL
  SELECT ${KEYS}, 'placed-call', calls * cost_rate('placed-call', '', day) FROM daily WHERE calls > 0
  UNION ALL
  SELECT ${KEYS}, 'sales', ordered FROM daily WHERE ordered > 0
  UNION ALL
  SELECT x.*, 'delivery-attempt', cost_rate('delivery-attempt', dl.courier, x.day)
    FROM deliveries dl JOIN orders o ON o.id = dl.order_id ${ORDER_JOINS}
   CROSS JOIN LATERAL (SELECT ${orderKeys('dl.outcome_at')}) x
   WHERE dl.outcome_at IS NOT NULL AND ${window('dl.outcome_at')}
  UNION ALL
  SELECT x.*, 'goods-item', s.qty * cost_rate('goods-item', s.sku, x.day)
    FROM stock_reservations s JOIN orders o ON o.id = s.order_id ${ORDER_JOINS}
   CROSS JOIN LATERAL (SELECT ${orderKeys('s.updated_at')}) x
   WHERE s.state = 'shipped' AND ${window('s.updated_at')}
  UNION ALL
  SELECT x.*, 'sales-point', l.points * cost_rate('sales-point', '', x.day)
    FROM points_ledger_by_sale l JOIN sales_entries e ON e.id = l.entry_id JOIN orders o ON o.id = e.order_id ${ORDER_JOINS}
   CROSS JOIN LATERAL (SELECT ${orderKeys('e.sold_at')}) x
   -- a sale's points are of its month or later: the ledger read from the window's first month on
   WHERE l.month >= date_trunc('month', $1::date - 1)::date AND l.kind IN ('sale', 'usage-credit', 'clawback', 'adjustment')
     AND ${window('e.sold_at')}
  UNION ALL
  SELECT x.*, 'revenue', COALESCE(o.monthly_price, (c.definition->'offer'->>'price')::numeric, 0) * $3::int
    FROM orders o ${ORDER_JOINS} CROSS JOIN LATERAL (SELECT ${orderKeys('o.activated_at')}) x
   WHERE o.activated_at IS NOT NULL AND ${window('o.activated_at')}
  UNION ALL
  SELECT x.*, 'refund', p.amount
    FROM payments p JOIN orders o ON o.id = p.order_id ${ORDER_JOINS} CROSS JOIN LATERAL (SELECT ${orderKeys('p.at')}) x
   WHERE p.kind = 'refund' AND ${window('p.at')}`;

const sum = (category: string) => `COALESCE(sum(amount) FILTER (WHERE category = '${category}'), 0)`;
const count = (category: string) => `count(*) FILTER (WHERE category = '${category}')`;

/** The ROI report's SQL: $1, $2 the period, $3 the months of revenue, then one per filter. */
export function roiSql(q: ReportQuery, months: number): { sql: string; params: unknown[] } {
  const params: unknown[] = [q.from, q.to, months];
  const where: string[] = [];
  for (const [dim, value] of Object.entries(q.filters) as Array<[Dimension, string]>) {
    params.push(value);
    where.push(`${DAILY_KEY[dim]} = $${params.length}`);
  }
  const keys = q.groupBy.map((k, i) => `${DAILY_KEY[k]} AS k${i}`);
  const select = [
    ...keys,
    ...COST_CATEGORY_NAMES.map((c) => `${sum(c)} AS "cost:${c}"`),
    ...COST_CATEGORY_NAMES.map((c) => `count(*) FILTER (WHERE category = '${c}' AND amount IS NULL) AS "unpriced:${c}"`),
    `${sum('revenue')} AS revenue`, `${sum('refund')} AS refunds`, `${sum('sales')} AS sales`, `${count('revenue')} AS activated`,
  ];
  const groupBy = keys.length ? `GROUP BY ${q.groupBy.map((k) => DAILY_KEY[k]).join(', ')} ORDER BY ${keys.map((_, i) => `k${i}`).join(', ')}` : '';
  return {
    sql: `SELECT ${select.join(', ')} FROM (${MONEY}) m ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${groupBy} LIMIT ${MAX_GROUPS + 1}`,
    params,
  };
}

export interface RoiRow {
  group: Record<string, string>;
  sums: RoiSums;
}

/** The money of a report's groups (the caller brings the rollups up to date first). */
export async function readRoi(db: Queryable, q: ReportQuery, months: number): Promise<RoiRow[]> {
  const { sql, params } = roiSql(q, months);
  const { rows } = await db.query<Record<string, string>>(sql, params);
  if (rows.length > MAX_GROUPS) throw new TooManyGroups(`more than ${MAX_GROUPS} groups`);
  return rows
    .filter((r) => q.groupBy.length || Number(r.sales) || Number(r.activated) || COST_CATEGORY_NAMES.some((c) => Number(r[`cost:${c}`])))
    .map((r) => {
      const cost = (c: CostCategory) => Number(r[`cost:${c}`] ?? 0);
      const unpriced: Partial<Record<CostCategory, number>> = {};
      for (const c of COST_CATEGORY_NAMES) if (Number(r[`unpriced:${c}`])) unpriced[c] = Number(r[`unpriced:${c}`]);
      return {
        group: Object.fromEntries(q.groupBy.map((k, i) => [k, r[`k${i}`] ?? ''])),
        sums: {
          costs: Object.fromEntries(COST_GROUP_NAMES.map((g) => [g, (COST_GROUPS[g] as readonly CostCategory[]).reduce((s, c) => s + cost(c), 0)])) as Record<CostGroup, number>,
          grossRevenue: Number(r.revenue), refunds: Number(r.refunds), sales: Number(r.sales), activated: Number(r.activated), unpriced,
        },
      };
    });
}
