import * as echarts from 'echarts';
import { REPORT_FUNNEL } from '../../domain/reports/figures';
import type { ReportLine } from '../../domain/reports/report';
import { HELD_AGE_BANDS } from '../../domain/dispatch/held-deliveries';
import type { Shortage } from '../../db/logistics/shortages-sql';
import type { AgentLine, HeldRegion, Period, RoiLine } from './data';

/**
 * The page's charts, drawn on the server by Apache ECharts as SVG (no script in the browser): each
 * function takes the figures its section's table shows and returns an <svg> element. ECharts
 * escapes the text it draws (campaign and agent names are user input).
 */

type Option = echarts.EChartsCoreOption;

const PALETTE = ['#2f6fb3', '#e08a1e', '#3a9a5b', '#b3413b', '#7a5bb3', '#8c8c8c'];
const GRID = { left: 16, right: 16, top: 32, bottom: 8, containLabel: true };
/** Horizontal bars with their value beside them: room on the right for it. */
const BARS_GRID = { ...GRID, top: 8, right: 48 };
/** Category labels of user input (names) cut to a width, whole in the table beside. */
const NAME_LABELS = { width: 150, overflow: 'truncate' };

/** One chart as SVG: rendered once, without animation (a page is a still). */
export function svgChart(option: Option, width = 560, height = 260): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    const series = [option.series ?? []].flat() as Array<Record<string, unknown>>;
    chart.setOption({
      animation: false, color: PALETTE, textStyle: { fontFamily: 'system-ui, sans-serif' }, ...option,
      series: series.map((s) => (s.type === 'bar' ? { barMaxWidth: 48, ...s } : s)),
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** A campaign's funnel: leads listed down to orders followed up, as horizontal bars. */
export function funnelChart(line: ReportLine): string {
  const steps = [...REPORT_FUNNEL].reverse();
  return svgChart({
    grid: BARS_GRID,
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: steps },
    series: [{ type: 'bar', data: steps.map((s) => line.counts[s]), label: { show: true, position: 'right' } }],
  }, 420, 240);
}

/** Calls that rang per minute over the last hour (oldest on the left), against nothing but themselves. */
export function paceChart(callsPerMinute: readonly number[]): string {
  const minutes = callsPerMinute.map((_, i) => (i === 0 ? 'now' : `-${i}m`)).reverse();
  return svgChart({
    grid: GRID,
    title: { text: 'calls per minute, last hour', textStyle: { fontSize: 12, fontWeight: 'normal' } },
    xAxis: { type: 'category', data: minutes, axisLabel: { interval: 9 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data: [...callsPerMinute].reverse(), barCategoryGap: '10%' }],
  }, 420, 200);
}

/** Every day of the period (days without figures at zero): calls, and sales on their own axis. */
export function dailyChart(period: Period, rows: readonly ReportLine[]): string {
  const byDay = new Map(rows.map((r) => [r.group.day, r]));
  const days: string[] = [];
  for (let t = Date.parse(`${period.from}T00:00:00Z`); t <= Date.parse(`${period.to}T00:00:00Z`); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  const count = (day: string, k: 'calls' | 'accepted' | 'ordered') => byDay.get(day)?.counts[k] ?? 0;
  return svgChart({
    grid: { ...GRID, top: 40 },
    legend: { top: 0 },
    xAxis: { type: 'category', data: days.map((d) => d.slice(5)) },
    yAxis: [{ type: 'value', name: 'calls', minInterval: 1 }, { type: 'value', name: 'sales', minInterval: 1, splitLine: { show: false } }],
    series: [
      { name: 'calls', type: 'bar', data: days.map((d) => count(d, 'calls')) },
      { name: 'sales (accepted)', type: 'line', yAxisIndex: 1, data: days.map((d) => count(d, 'accepted')) },
      { name: 'orders', type: 'line', yAxisIndex: 1, lineStyle: { type: 'dashed' }, data: days.map((d) => count(d, 'ordered')) },
    ],
  }, 900, 280);
}

/** The leaderboard's first ten by sales. */
export function leaderboardChart(top: readonly AgentLine[]): string {
  const ten = top.slice(0, 10).reverse();
  return svgChart({
    grid: BARS_GRID,
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: ten.map((a) => a.name ?? a.agent), axisLabel: NAME_LABELS },
    series: [{ type: 'bar', data: ten.map((a) => a.counts.accepted), label: { show: true, position: 'right' } }],
  }, 420, Math.max(120, 40 + ten.length * 24));
}

/** Held orders per region, stacked by how long ago their delivery failed. */
export function heldChart(regions: readonly HeldRegion[]): string {
  return svgChart({
    grid: { ...GRID, top: 40 },
    legend: { top: 0 },
    xAxis: { type: 'category', data: regions.map((r) => r.region) },
    yAxis: { type: 'value', minInterval: 1 },
    series: HELD_AGE_BANDS.map((band, i) => ({ name: band.label, type: 'bar', stack: 'age', data: regions.map((r) => r.bands[i] ?? 0) })),
  }, 560, 260);
}

/** What is missing of each item at each warehouse to serve its backorders. */
export function backordersChart(shortages: readonly Shortage[]): string {
  return svgChart({
    grid: { ...GRID, top: 40 },
    legend: { top: 0 },
    xAxis: { type: 'category', data: shortages.map((s) => `${s.warehouse} ${s.sku}`) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: 'wanted', type: 'bar', data: shortages.map((s) => s.wanted) },
      { name: 'missing', type: 'bar', data: shortages.map((s) => s.missing) },
    ],
  }, 560, 260);
}

/** Each campaign's return on investment. */
export function roiChart(rows: readonly RoiLine[]): string {
  return svgChart({
    grid: BARS_GRID,
    xAxis: { type: 'value' },
    yAxis: { type: 'category', data: rows.map((r) => r.name ?? r.campaignId), axisLabel: NAME_LABELS },
    series: [{ type: 'bar', data: rows.map((r) => r.roi ?? 0) }],
  }, 560, Math.max(120, 40 + rows.length * 24));
}
