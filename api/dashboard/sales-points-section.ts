import { svgChart } from './charts';
import { chartAndTable, escapeHtml, section, table, type Column } from './html';
import type { Alert } from '../../db/alerts/alerts-sql';
import type { AreaPoints, SalesPointsPanel, StaffPoints } from './sales-points-data';

const AREA_COLUMNS: Column<AreaPoints>[] = [
  { head: 'area', figure: 'area', value: (a) => a.area, format: 'text' },
  { head: 'sales', figure: 'sales', value: (a) => a.counts.sales },
  { head: 'matched', figure: 'matched', value: (a) => a.counts.matched },
  { head: 'points (ledger)', figure: 'totalPoints', value: (a) => a.counts.totalPoints, format: 'dec' },
  { head: 'provisional points', figure: 'provisionalPoints', value: (a) => a.counts.provisionalPoints, format: 'dec' },
];

const STAFF_COLUMNS: Column<StaffPoints>[] = [
  { head: 'rank', figure: 'rank', value: (s) => s.rank },
  { head: 'staff', figure: 'staffId', value: (s) => s.staffId, format: 'text' },
  { head: 'name', figure: 'name', value: (s) => s.name, format: 'text' },
  { head: 'outlet', figure: 'outlet', value: (s) => s.outlet, format: 'text' },
  { head: 'sales', figure: 'sales', value: (s) => s.sales },
  { head: 'points', figure: 'points', value: (s) => s.points, format: 'dec' },
];

const ALERT_COLUMNS: Column<Alert>[] = [
  { head: 'raised (UTC)', figure: 'raisedAt', value: (a) => a.raisedAt.slice(0, 16).replace('T', ' '), format: 'text' },
  { head: 'kind', figure: 'kind', value: (a) => a.kind, format: 'text' },
  { head: 'subject', figure: 'subject', value: (a) => a.subject, format: 'text' },
  { head: 'level', figure: 'level', value: (a) => a.level, format: 'text' },
  { head: 'message', figure: 'message', value: (a) => a.message, format: 'text' },
];

/** Points per area this month, the ledger's and the provisional ones stacked. */
function areaChart(areas: readonly AreaPoints[]): string {
  return svgChart({
    grid: { left: 16, right: 16, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0 },
    xAxis: { type: 'category', data: areas.map((a) => a.area) },
    yAxis: { type: 'value' },
    series: [
      { name: 'points (ledger)', type: 'bar', stack: 'points', data: areas.map((a) => a.counts.totalPoints) },
      { name: 'provisional', type: 'bar', stack: 'points', data: areas.map((a) => a.counts.provisionalPoints) },
    ],
  }, 560, 260);
}

/** The sales-points section: this month by area, and the staff leaderboard. */
export function salesPointsSection(p: SalesPointsPanel): string {
  const note = `Sales points of ${escapeHtml(p.month)} (the operator's month): the ledger's points where the month is reconciled, `
    + 'provisional points (the service\'s points on the sale\'s day) where it is not yet (GET /reports/sales-points).';
  const staffTable = table('sales-points-staff-table', STAFF_COLUMNS, p.top, (s) => s.staffId, { month: p.month });
  return section('sales-points', 'Sales points this month', note,
    chartAndTable(p.byArea.length, () => areaChart(p.byArea), table('sales-points-area-table', AREA_COLUMNS, p.byArea, (a) => a.area, { month: p.month }))
    + `\n<h3>Staff leaderboard (points, ${escapeHtml(p.month)} so far)</h3>\n${staffTable}`
    + `\n<h3>Open alerts (GET /alerts; acknowledged ones leave this list)</h3>\n${table('alerts-table', ALERT_COLUMNS, p.alerts, (a) => String(a.id))}`);
}
