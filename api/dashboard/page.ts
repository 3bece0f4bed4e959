import type { Actor } from '../../domain/access/roles';
import { campaignsSection } from './campaigns-section';
import type { DashboardData } from './data';
import { escapeHtml, pageShell } from './html';
import { salesPointsSection } from './sales-points-section';
import { hotlineSection } from './hotline-section';
import { backordersSection, dailySection, heldSection, leaderboardSection, roiSection } from './sections';

/** How often the page reloads itself while a campaign is under way. */
export const REFRESH_SECONDS = 15;

/** The dashboard: every section, and a reload every REFRESH_SECONDS while a campaign is live (none otherwise). */
export function dashboardPage(data: DashboardData, viewer: Actor): string {
  const refreshSeconds = data.campaigns.live.length ? REFRESH_SECONDS : undefined;
  const asOf = data.asOf.toISOString().slice(0, 19).replace('T', ' ');
  const header = `<h1>Telemarketing dashboard</h1>
<span class="meta">as of <time datetime="${data.asOf.toISOString()}">${asOf} UTC</time></span>
<span class="meta" id="refresh">${refreshSeconds ? `refreshes every ${refreshSeconds} s while a campaign runs` : 'no campaign running: not refreshing'}</span>
<span class="meta">signed in as ${escapeHtml(viewer.sub)} (${escapeHtml(viewer.role)})</span>`;
  const body = [
    campaignsSection(data.campaigns),
    dailySection(data.daily),
    leaderboardSection(data.agents),
    roiSection(data.roi),
    heldSection(data.held),
    backordersSection(data.backorders),
    salesPointsSection(data.salesPoints),
    hotlineSection(data.hotline),
  ].join('\n');
  return pageShell({ title: 'Dashboard', header, body, ...(refreshSeconds ? { refreshSeconds } : {}) });
}
