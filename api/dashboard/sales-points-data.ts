import { addSalesCounts, emptySalesCounts, rankStandings, standingScore, type SalesCounts } from '../../domain/reports/sales-points';
import { dayAt, monthAt } from '../../domain/sales-points/month';
import { readSalesReport, readStaffSales } from '../../db/reports/sales-points-sql';
import type { Db } from '../../infra/db';
import { listAlerts, type Alert } from '../../db/alerts/alerts-sql';

/** Staff on the sales-points leaderboard. */
const TOP_STAFF = 10;

export interface AreaPoints {
  area: string;
  counts: SalesCounts;
}

export interface StaffPoints {
  rank: number;
  staffId: string;
  name: string;
  outlet: string;
  sales: number;
  matched: number;
  points: number;
}

export interface SalesPointsPanel {
  month: string;
  byArea: AreaPoints[];
  top: StaffPoints[];
  /** Alerts nobody acknowledged yet (points budgets, a month waiting for approval), the latest first. */
  alerts: Alert[];
}

/** Open alerts the page lists. */
const OPEN_ALERTS = 20;

/**
 * This month's sales points (in the operator's zone): by area from GET /reports/sales-points's
 * figures, and the staff leaderboard of GET /sales-points/leaderboard (points, this month so far).
 */
export async function readSalesPointsPanel(db: Db, timeZone: string, now = new Date()): Promise<SalesPointsPanel> {
  const month = monthAt(now, timeZone);
  const [areas, staff, alerts] = await Promise.all([
    readSalesReport(db, { from: month, to: month, groupBy: ['area'], filters: {}, timeZone }),
    readStaffSales(db, { fromDay: `${month}-01`, toDay: dayAt(now, timeZone), scope: { kind: 'all' }, timeZone }),
    listAlerts(db, { open: true, limit: OPEN_ALERTS }),
  ]);
  const byId = new Map(staff.map((s) => [s.staffId, s]));
  const top = rankStandings(staff.map((s) => ({ staffId: s.staffId, score: standingScore('points', s) }))).slice(0, TOP_STAFF)
    .map((r) => {
      const s = byId.get(r.staffId)!;
      return { rank: r.rank, staffId: s.staffId, name: s.name, outlet: s.outlet, sales: s.sales, matched: s.matched, points: r.score };
    });
  const byArea = areas.map((g) => ({ area: g.group.area ?? '', counts: addSalesCounts(emptySalesCounts(), g.counts) }))
    .sort((a, b) => b.counts.totalPoints + b.counts.provisionalPoints - a.counts.totalPoints - a.counts.provisionalPoints || a.area.localeCompare(b.area));
  return { month, byArea, top, alerts };
}

