import { describe, expect, it } from 'vitest';
import { dashboardPage } from '../../api/dashboard/page';
import { loginPage } from '../../api/dashboard/login';
import { svgChart } from '../../api/dashboard/charts';
import { HOSTILE, sampleDashboard } from '../support/dashboard-sample';

describe('the dashboard page', () => {
  it('shows names as text: no markup of theirs, and no script at all', () => {
    const html = dashboardPage(sampleDashboard(), { sub: HOSTILE, role: 'qa' });
    expect(html).toContain('<svg');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).toContain('&#60;img src=x onerror=&#34;alert(1)&#34;&#62; &#38; &#39;quotes&#39;');
    expect(svgChart({ xAxis: { type: 'category', data: [HOSTILE] }, yAxis: { type: 'value' }, series: [{ type: 'bar', data: [1] }] })).not.toContain('<img');
  });

  it('reloads itself while a campaign is live, and not otherwise', () => {
    expect(dashboardPage(sampleDashboard(true), { sub: 'w', role: 'qa' })).toContain('<meta http-equiv="refresh" content="15">');
    const still = dashboardPage(sampleDashboard(false), { sub: 'w', role: 'qa' });
    expect(still).not.toContain('http-equiv="refresh"');
    expect(still).toContain('No campaign is running.');
  });

  it('holds each figure exactly beside the value it shows, and says what is not there', () => {
    const html = dashboardPage(sampleDashboard(), { sub: 'w', role: 'qa' });
    expect(html).toContain('<td class="n" data-figure="calls" data-value="900">900</td>');
    expect(html).toContain('data-figure="contactRate" data-value="0.6">60 %</td>');
    expect(html).toContain('data-figure="agentHours" data-value="6.5">6 h 30 min</td>');
    expect(html).toContain('data-figure="agentHours" data-value="0.25">15 min</td>');
    expect(html).toContain('data-figure="name" data-value="">–</td>');
    expect(html).toContain('<table id="daily-table" data-from="2025-02-10" data-to="2025-03-11">');
    expect(html).toContain('<td class="n" data-figure="revenue" data-value="6960">');
  });

  it('shows each hotline team\'s marketing share against the month\'s target, met or not, and the channels\' successes', () => {
    const html = dashboardPage(sampleDashboard(), { sub: 'w', role: 'qa' });
    expect(html).toContain('<section id="hotline">');
    expect(html).toContain('<table id="hotline-teams-table" data-from="2025-03-01" data-to="2025-03-11">');
    expect(html).toContain('data-figure="marketingShare" data-value="0.25">25 %</td>');
    expect(html).toContain('data-figure="targetMet" data-value="met">met</td>');
    expect(html).toContain('data-figure="targetMet" data-value="not met">not met</td>');
    expect(html).toContain('<tr data-key="*"><td data-figure="team" data-value="all teams">all teams</td>');
    expect(html).toContain('<tr data-key="app"><td data-figure="channel" data-value="app">app</td><td class="n" data-figure="presented" data-value="2">2</td>'
      + '<td class="n" data-figure="successes" data-value="1">1</td><td class="n" data-figure="successRate" data-value="0.5">50 %</td></tr>');
    expect(html).toContain("against the month's target of 20 %");
  });

  it('signs in with a form that posts the token in a header, and shows a reason as text', () => {
    const html = loginPage(`bad ${HOSTILE}`);
    expect(html).toContain('<form id="login" method="get" action="dashboard">');
    expect(html).toContain("fetch('dashboard/session', { method: 'POST', headers: { authorization: 'Bearer ' + token } })");
    expect(html).not.toContain('<img');
  });
});
