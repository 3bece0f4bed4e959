import { REPORT_FUNNEL } from '../../domain/reports/figures';
import { funnelChart, paceChart } from './charts';
import type { CampaignView, DashboardData } from './data';
import { escapeHtml, section, table, type Column } from './html';

const FUNNEL_COLUMNS: Column<CampaignView>[] = [
  { head: 'campaign', figure: 'name', value: (c) => c.name, format: 'text' },
  { head: 'status', figure: 'status', value: (c) => c.status, format: 'text' },
  ...REPORT_FUNNEL.map((step): Column<CampaignView> => ({ head: step, figure: step, value: (c) => c.funnel.counts[step] })),
  { head: 'contact rate', figure: 'contactRate', value: (c) => c.funnel.rates.contactRate, format: 'pct' },
  { head: 'sales per connected call', figure: 'conversionPerConnectedCall', value: (c) => c.funnel.rates.conversionPerConnectedCall, format: 'pct' },
];

const callsLastHour = (c: CampaignView) => c.callsPerMinute.reduce((a, b) => a + b, 0);

const PACING_COLUMNS: Column<CampaignView>[] = [
  { head: 'campaign', figure: 'name', value: (c) => c.name, format: 'text' },
  { head: 'pacing', figure: 'pacingMode', value: (c) => c.pacingMode, format: 'text' },
  { head: 'calls per free agent', figure: 'callsPerAgent', value: (c) => (c.pacingMode === 'predictive' ? c.callsPerAgent : null), format: 'dec' },
  { head: 'in flight now', figure: 'inFlight', value: (c) => c.inFlight },
  { head: 'at most at once', figure: 'maxConcurrentCalls', value: (c) => c.maxConcurrentCalls },
  { head: 'calls, last hour', figure: 'callsLastHour', value: callsLastHour },
  { head: 'abandon rate', figure: 'abandonRate', value: (c) => c.abandonRate, format: 'pct' },
  { head: 'abandon cap', figure: 'maxAbandonRate', value: (c) => (c.pacingMode === 'predictive' ? c.maxAbandonRate : null), format: 'pct' },
];

const badge = (status: string) => `<span class="badge ${escapeHtml(status)}">${escapeHtml(status)}</span>`;

/** A live campaign: its funnel and its calls per minute as charts. */
function liveCampaign(c: CampaignView): string {
  return `<div class="campaign" data-campaign="${escapeHtml(c.id)}">
<h3>${escapeHtml(c.name)} ${badge(c.status)} <code>${escapeHtml(c.id)}</code></h3>
<div class="pair"><figure>${funnelChart(c.funnel)}</figure><figure>${paceChart(c.callsPerMinute)}</figure></div></div>`;
}

/**
 * Running campaigns with their funnel (the reporting module's totals of each) and pacing (calls
 * per minute from the contact log, against the settings in force), and the last ones to end.
 */
export function campaignsSection(c: DashboardData['campaigns']): string {
  const all = [...c.live, ...c.ended];
  const period = { from: c.period.from, to: c.period.to };
  const note = `Campaigns under way (their list being pulled, running or paused) and the last to end within 24 hours. `
    + `Funnels from the reporting module over local days ${escapeHtml(period.from)} to ${escapeHtml(period.to)}; `
    + `pacing from the contact log and the settings in force.`;
  const live = c.live.length ? c.live.map(liveCampaign).join('\n') : '<p class="note">No campaign is running.</p>';
  return section('campaigns', 'Running campaigns', note, `${live}
<h3>Funnels</h3><div class="scroll">${table('campaign-funnels', FUNNEL_COLUMNS, all, (x) => x.id, period)}</div>
<h3>Pacing</h3><div class="scroll">${table('campaign-pacing', PACING_COLUMNS, c.live, (x) => x.id)}</div>`);
}
