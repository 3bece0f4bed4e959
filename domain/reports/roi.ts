/**
 * Cost and return on investment (seed 004: cost control and ROI), defined once: what each cost
 * category is, priced by the effective-dated rates finance sets (PUT /cost-rates), and how a
 * group's revenue, cost per sale and ROI follow from its sums (db/reports/roi-sql.ts sums them).
 */
export const COST_CATEGORIES = {
  'agent-hour': 'an hour of an agent (per team, or the general rate): the agent\'s day, shared among what they called by calls',
  'connected-minute': 'a minute of a connected call (telephony)',
  'placed-call': 'a call placed that rang the customer (telephony)',
  'delivery-attempt': 'a delivery attempt with an outcome (per courier, or the general rate)',
  'goods-item': 'an item shipped to the customer (per item code, or the general rate)',
  'sales-point': 'a sales point of a sale this system made (its credits, clawbacks and accepted disputes, on the sale\'s day; docs/sales-points.md)',
} as const;
export type CostCategory = keyof typeof COST_CATEGORIES;
export const COST_CATEGORY_NAMES = Object.keys(COST_CATEGORIES) as CostCategory[];

/** The cost groups a report shows, and which categories make each. */
export const COST_GROUPS = {
  agents: ['agent-hour'],
  telephony: ['connected-minute', 'placed-call'],
  delivery: ['delivery-attempt'],
  goods: ['goods-item'],
  salesPoints: ['sales-point'],
} as const satisfies Record<string, readonly CostCategory[]>;
export type CostGroup = keyof typeof COST_GROUPS;
export const COST_GROUP_NAMES = Object.keys(COST_GROUPS) as CostGroup[];

/** How many months of the offer's price an activation is worth, unless the report is told otherwise. */
export const DEFAULT_REVENUE_MONTHS = 12;

/** A group's sums, as the SQL gives them (yuan, and counts). */
export interface RoiSums {
  costs: Record<CostGroup, number>;
  /** Activated orders × their monthly price × months. */
  grossRevenue: number;
  refunds: number;
  sales: number;
  activated: number;
  /** Facts with no rate set for their category on their day (priced at 0), by category. */
  unpriced: Partial<Record<CostCategory, number>>;
}

export interface RoiFigures {
  costs: Record<CostGroup, number>;
  totalCost: number;
  revenue: { activated: number; months: number; gross: number; refunds: number; net: number };
  sales: number;
  costPerSale: number | null;
  /** (net revenue − cost) / cost; null without cost. */
  roi: number | null;
  unpriced: Partial<Record<CostCategory, number>>;
}

const money = (n: number) => Math.round(n * 100) / 100;

export function roiFigures(s: RoiSums, months: number): RoiFigures {
  const costs = Object.fromEntries(COST_GROUP_NAMES.map((g) => [g, money(s.costs[g])])) as Record<CostGroup, number>;
  const totalCost = money(COST_GROUP_NAMES.reduce((sum, g) => sum + s.costs[g], 0));
  const net = money(s.grossRevenue - s.refunds);
  return {
    costs, totalCost,
    revenue: { activated: s.activated, months, gross: money(s.grossRevenue), refunds: money(s.refunds), net },
    sales: s.sales,
    costPerSale: s.sales > 0 ? money(totalCost / s.sales) : null,
    roi: totalCost > 0 ? Number(((net - totalCost) / totalCost).toFixed(4)) : null,
    unpriced: s.unpriced,
  };
}

export function addRoiSums(a: RoiSums, b: RoiSums): RoiSums {
  const unpriced = { ...a.unpriced };
  for (const [k, v] of Object.entries(b.unpriced) as Array<[CostCategory, number]>) unpriced[k] = (unpriced[k] ?? 0) + v;
  return {
    costs: Object.fromEntries(COST_GROUP_NAMES.map((g) => [g, a.costs[g] + b.costs[g]])) as Record<CostGroup, number>,
    grossRevenue: a.grossRevenue + b.grossRevenue, refunds: a.refunds + b.refunds, sales: a.sales + b.sales,
    activated: a.activated + b.activated, unpriced,
  };
}

export const emptyRoiSums = (): RoiSums => ({
  costs: Object.fromEntries(COST_GROUP_NAMES.map((g) => [g, 0])) as Record<CostGroup, number>,
  grossRevenue: 0, refunds: 0, sales: 0, activated: 0, unpriced: {},
});
