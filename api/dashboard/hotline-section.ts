import { CHANNELS, type Channel } from '../../domain/hotline/words';
import type { HotlineLine } from '../../domain/reports/hotline';
import { svgChart } from './charts';
import { chartAndTable, escapeHtml, section, shown, table, type Column } from './html';
import type { HotlinePanel, HotlineTeam } from './hotline-data';

/** The teams' table ends with every team together, under this key. */
export const ALL_TEAMS = '*';

const verdict = (l: HotlineLine) => (l.targetMet === null ? null : l.targetMet ? 'met' : 'not met');

const TEAM_COLUMNS: Column<HotlineTeam>[] = [
  { head: 'team', figure: 'team', value: (t) => (t.team === ALL_TEAMS ? 'all teams' : t.team), format: 'text' },
  { head: 'calls handled', figure: 'callsHandled', value: (t) => t.line.counts.callsHandled },
  { head: 'marketing calls', figure: 'marketingCalls', value: (t) => t.line.counts.marketingCalls },
  { head: 'marketing share', figure: 'marketingShare', value: (t) => t.line.rates.marketingShare, format: 'pct' },
  { head: 'target share', figure: 'targetShare', value: (t) => t.line.rates.targetShare, format: 'pct' },
  { head: 'target met', figure: 'targetMet', value: (t) => verdict(t.line), format: 'text' },
  { head: 'avg handle, offer (s)', figure: 'avgHandleSecondsWithOffer', value: (t) => t.line.rates.avgHandleSecondsWithOffer, format: 'dec' },
  { head: 'avg handle, none (s)', figure: 'avgHandleSecondsWithoutOffer', value: (t) => t.line.rates.avgHandleSecondsWithoutOffer, format: 'dec' },
];

const CHANNEL_WORDS: Record<Channel, string> = { call: 'on the call', ivr: 'IVR', sms: 'SMS hall', app: 'app', web: 'web hall' };

interface ChannelRow { channel: Channel; presented: number; successes: number; successRate: number | null }

const CHANNEL_COLUMNS: Column<ChannelRow>[] = [
  { head: 'channel', figure: 'channel', value: (c) => CHANNEL_WORDS[c.channel], format: 'text' },
  { head: 'recommendations presented', figure: 'presented', value: (c) => c.presented },
  { head: 'successes', figure: 'successes', value: (c) => c.successes },
  { head: 'success rate', figure: 'successRate', value: (c) => c.successRate, format: 'pct' },
];

const pct = (v: number | null) => (v === null ? 0 : Math.round(v * 1000) / 10);

/** Each team's marketing share against the target, in %. */
function shareChart(teams: readonly HotlineTeam[]): string {
  return svgChart({
    grid: { left: 16, right: 16, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0, itemGap: 24 },
    xAxis: { type: 'category', data: teams.map((t) => t.team), axisLabel: { width: 100, overflow: 'truncate' } },
    yAxis: { type: 'value', axisLabel: { formatter: '{value} %' } },
    series: [
      { name: 'marketing share', type: 'bar', data: teams.map((t) => pct(t.line.rates.marketingShare)) },
      { name: 'target', type: 'line', step: 'middle', symbol: 'none', data: teams.map((t) => pct(t.line.rates.targetShare)) },
    ],
  }, 560, 260);
}

function channelChart(rows: readonly ChannelRow[]): string {
  return svgChart({
    grid: { left: 16, right: 16, top: 40, bottom: 8, containLabel: true },
    legend: { top: 0, itemGap: 24 },
    xAxis: { type: 'category', data: rows.map((r) => CHANNEL_WORDS[r.channel]) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: 'presented', type: 'bar', data: rows.map((r) => r.presented) },
      { name: 'successes', type: 'bar', data: rows.map((r) => r.successes) },
    ],
  }, 560, 260);
}

/** Hotline marketing this month: share of call volume against the target per team, successes per channel. */
export function hotlineSection(p: HotlinePanel): string {
  const note = `Inbound calls of ${escapeHtml(p.month)} (the operator's month, local days ${escapeHtml(p.period.from)} to ${escapeHtml(p.period.to)}): `
    + `marketing calls (an offer presented) as a share of the calls handled, against the month's target of ${shown(p.target, 'pct')} `
    + '(GET /reports/hotline). A referral counts on the day of its call, so successes grow as customers complete them.';
  const rows = [...p.teams, ...(p.teams.length ? [{ team: ALL_TEAMS, line: p.totals }] : [])];
  const channels: ChannelRow[] = CHANNELS.map((channel) => ({ channel, ...p.totals.channels[channel] }));
  const attrs = { from: p.period.from, to: p.period.to };
  return section('hotline', 'Hotline marketing this month', note,
    chartAndTable(p.teams.length, () => shareChart(p.teams), table('hotline-teams-table', TEAM_COLUMNS, rows, (t) => t.team, attrs))
    + '\n<h3>Recommendations and successes per channel (every team, and the self-service visits)</h3>\n'
    + chartAndTable(p.totals.counts.presented, () => channelChart(channels), table('hotline-channels-table', CHANNEL_COLUMNS, channels, (c) => c.channel, attrs)));
}
