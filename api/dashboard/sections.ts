import type { ReportLine } from '../../domain/reports/report';
import { HELD_AGE_BANDS } from '../../domain/dispatch/held-deliveries';
import type { Shortage } from '../../db/logistics/shortages-sql';
import { backordersChart, dailyChart, heldChart, leaderboardChart, roiChart } from './charts';
import type { AgentLine, DashboardData, HeldRegion, RoiLine } from './data';
import { chartAndTable, escapeHtml, section, table, type Column } from './html';

const periodNote = (p: { from: string; to: string }) => `local days ${escapeHtml(p.from)} to ${escapeHtml(p.to)}`;

const DAILY_COLUMNS: Column<ReportLine>[] = [
  { head: 'day', figure: 'day', value: (r) => r.group.day ?? '', format: 'text' },
  { head: 'calls', figure: 'calls', value: (r) => r.counts.calls },
  { head: 'connected calls', figure: 'connectedCalls', value: (r) => r.counts.connectedCalls },
  { head: 'sales (accepted)', figure: 'accepted', value: (r) => r.counts.accepted },
  { head: 'orders', figure: 'ordered', value: (r) => r.counts.ordered },
  { head: 'activated', figure: 'activated', value: (r) => r.counts.activated },
  { head: 'contact rate', figure: 'contactRate', value: (r) => r.rates.contactRate, format: 'pct' },
];

/** Calls and sales per day over the last 30 days (the report grouped by day). */
export function dailySection(d: DashboardData['daily']): string {
  return section('daily', 'Calls and sales per day', `Every channel and campaign, ${periodNote(d.period)}, from the reporting module.`,
    chartAndTable(d.rows.length, () => dailyChart(d.period, d.rows), table('daily-table', DAILY_COLUMNS, d.rows, (r) => r.group.day ?? '', d.period)));
}

const AGENT_COLUMNS: Column<AgentLine>[] = [
  { head: 'agent', figure: 'agent', value: (a) => a.agent, format: 'text' },
  { head: 'name', figure: 'name', value: (a) => a.name, format: 'text' },
  { head: 'calls', figure: 'calls', value: (a) => a.counts.calls },
  { head: 'conversion', figure: 'conversionPerConnectedCall', value: (a) => a.rates.conversionPerConnectedCall, format: 'pct' },
  { head: 'sales', figure: 'accepted', value: (a) => a.counts.accepted },
  { head: 'agent hours', figure: 'agentHours', value: (a) => a.agentHours, format: 'hours' },
  { head: 'sales per agent hour', figure: 'salesPerAgentHour', value: (a) => a.rates.salesPerAgentHour, format: 'dec' },
];

/** The agents by sales, with conversion per connected call and sales per agent hour (the report grouped by agent). */
export function leaderboardSection(a: DashboardData['agents']): string {
  const note = `The ${a.top.length} best of ${a.count} agents by sales, ${periodNote(a.period)}, from the reporting module `
    + '(an agent hour runs from the start of their first call of the day to the end of their last).';
  return section('leaderboard', 'Agent leaderboard', note,
    chartAndTable(a.top.length, () => leaderboardChart(a.top), table('leaderboard-table', AGENT_COLUMNS, a.top, (x) => x.agent, a.period)));
}

const ROI_COLUMNS: Column<RoiLine>[] = [
  { head: 'campaign', figure: 'campaign', value: (r) => r.name ?? r.campaignId, format: 'text' },
  { head: 'cost', figure: 'cost', value: (r) => r.cost, format: 'dec' },
  { head: 'revenue', figure: 'revenue', value: (r) => r.revenue, format: 'dec' },
  { head: 'ROI', figure: 'roi', value: (r) => r.roi, format: 'pct' },
];

/** ROI per campaign (GET /reports/roi's figures: cost, net revenue, ROI), over the recent days. */
export function roiSection(roi: DashboardData['roi']): string {
  return section('roi', 'ROI per campaign', `Cost and return per campaign, ${periodNote(roi.period)}.`,
    chartAndTable(roi.rows.length, () => roiChart(roi.rows), table('roi-table', ROI_COLUMNS, roi.rows, (r) => r.campaignId, roi.period)));
}

const HELD_COLUMNS: Column<HeldRegion>[] = [
  { head: 'region', figure: 'region', value: (r) => r.region, format: 'text' },
  ...HELD_AGE_BANDS.map((b, i): Column<HeldRegion> => ({ head: b.label, figure: `band${i}`, value: (r) => r.bands[i] ?? 0 })),
  { head: 'held', figure: 'total', value: (r) => r.total },
  { head: 'escalated', figure: 'escalated', value: (r) => r.escalated },
];

/** The dispatchers' work queue by region and by how long ago the delivery failed. */
export function heldSection(held: readonly HeldRegion[]): string {
  return section('held', 'Held deliveries by region and age',
    'Orders held for a scheduler after a failed delivery (GET /deliveries), by how long ago it failed.',
    chartAndTable(held.length, () => heldChart(held), table('held-table', HELD_COLUMNS, held, (r) => r.region)));
}

const BACKORDER_COLUMNS: Column<Shortage>[] = [
  { head: 'warehouse', figure: 'warehouse', value: (s) => s.warehouse, format: 'text' },
  { head: 'item', figure: 'sku', value: (s) => s.sku, format: 'text' },
  { head: 'orders waiting', figure: 'orders', value: (s) => s.orders },
  { head: 'wanted', figure: 'wanted', value: (s) => s.wanted },
  { head: 'on hand', figure: 'onHand', value: (s) => s.onHand },
  { head: 'missing', figure: 'missing', value: (s) => s.missing },
  { head: 'waiting since', figure: 'waitingSince', value: (s) => s.waitingSince.toISOString().slice(0, 16).replace('T', ' '), format: 'text' },
];

/** Orders held out of stock, per warehouse and item (GET /stock/shortages). */
export function backordersSection(shortages: readonly Shortage[]): string {
  return section('backorders', 'Backorders', 'Items orders are held for, per warehouse, the longest waiting first (UTC).',
    chartAndTable(shortages.length, () => backordersChart(shortages), table('backorders-table', BACKORDER_COLUMNS, shortages, (s) => `${s.warehouse}/${s.sku}`)));
}
