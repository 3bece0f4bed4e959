import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { CHANNELS } from '../../domain/hotline/words';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/stack/chromium';
import { DATA_DIR } from '../../scripts/stack/paths';
import { ownDatabase } from '../support/own-database';
import { startHarness, type Harness } from '../support/harness';
import { seedInteraction, seedPlainCalls } from '../support/hotline-report';
import { figure, readTable } from '../support/dashboard-tables';

/**
 * The dashboard's hotline section in a real browser (Debian's chromium, driven by playwright-core),
 * over a database of its own so the page shows this test's calls alone: this month's marketing
 * share per team against the month's target, met or not, and the channels' successes, each figure
 * equal to GET /reports/hotline's for the same days.
 */
let h: Harness;
let browser: Browser;
const SCREENSHOT = path.join(DATA_DIR, 'test', 'hotline-dashboard.png');
/** A team's name is markup: the page shows it as text. */
const HOSTILE = 'h<b>x</b>&"q"';
const CALM = 'hotline-calm';

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: npm test installs Debian's chromium when it runs as root (scripts/stack/chromium.ts); install it or set CHROMIUM_PATH`);
  }
  const databaseUrl = await ownDatabase('hotline_dash', 20);
  [h, browser] = await Promise.all([startHarness({ databaseUrl }), chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })]);
  const [c1, c2] = (await h.db.query<{ id: string }>('SELECT id FROM customers ORDER BY id LIMIT 2')).rows.map((r) => Number(r.id)) as [number, number];
  const now = new Date().toISOString();
  // Five calls of one team, two of them marketing calls (one sale on the call, one sent to the app);
  // four of another, none; a customer in the SMS hall who took what it offered.
  await seedInteraction(h.db, c1, { team: HOSTILE, agent: 'ha-1', at: now, handleSeconds: 420, recs: [['presented', 'accepted'], ['presented', 'refused']] });
  await seedInteraction(h.db, c2, { team: HOSTILE, agent: 'ha-1', at: now, handleSeconds: 380, recs: [['presented', { referred: 'app' }]] });
  await seedPlainCalls(h.db, c1, 3, { team: HOSTILE, agent: 'ha-2', at: now, handleSeconds: 200 });
  await seedPlainCalls(h.db, c2, 4, { team: CALM, agent: 'hc-1', at: now, handleSeconds: 150 });
  await seedInteraction(h.db, c2, { channel: 'sms', at: now, recs: [['presented', 'accepted']] });
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const verdict = (met: boolean | null) => (met === null ? null : met ? 'met' : 'not met');

describe('the hotline section in Chromium', () => {
  it('shows each team\'s marketing share against this month\'s target, and the channels\' successes, as GET /reports/hotline gives them', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    expect((await page.goto(`${h.apiUrl}/dashboard?token=${h.token('marketing', 'mia')}`))!.status()).toBe(200);
    expect(await page.locator('#hotline h2').textContent()).toBe('Hotline marketing this month');
    expect(await page.locator('#hotline svg').count()).toBe(2);
    expect(await page.locator('#hotline b').count()).toBe(0);

    const teams = await readTable(page, 'hotline-teams-table');
    const res = await h.inject({ method: 'GET', url: `/reports/hotline?groupBy=team&from=${teams.attrs.from}&to=${teams.attrs.to}`, headers: { authorization: `Bearer ${h.token('marketing')}` } });
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(teams.attrs.from).toMatch(/^\d{4}-\d{2}-01$/);
    // Teams with calls, the highest share first, then every team together.
    expect(Object.keys(teams.rows)).toEqual([HOSTILE, CALM, '*']);
    const lines = [...report.rows.filter((r: { group: { team: string } }) => r.group.team).map((r: { group: { team: string } }) => [r.group.team, r]), ['*', report.totals]];
    for (const [key, line] of lines) {
      const shown = teams.rows[key]!;
      expect(figure(shown.callsHandled), key).toBe(line.counts.callsHandled);
      expect(figure(shown.marketingCalls), key).toBe(line.counts.marketingCalls);
      expect(figure(shown.marketingShare), key).toBe(line.rates.marketingShare);
      expect(figure(shown.targetShare), key).toBe(line.rates.targetShare);
      expect(shown.targetMet, key).toBe(verdict(line.targetMet));
      expect(figure(shown.avgHandleSecondsWithOffer), key).toBe(line.rates.avgHandleSecondsWithOffer);
      expect(figure(shown.avgHandleSecondsWithoutOffer), key).toBe(line.rates.avgHandleSecondsWithoutOffer);
    }
    expect(teams.rows[HOSTILE]).toMatchObject({ team: HOSTILE, callsHandled: '5', marketingCalls: '2', marketingShare: '0.4', targetShare: '0.18', targetMet: 'met' });
    expect(teams.rows[CALM]).toMatchObject({ marketingShare: '0', targetMet: 'not met' });

    const channels = await readTable(page, 'hotline-channels-table');
    expect(Object.keys(channels.rows)).toEqual([...CHANNELS]);
    for (const ch of CHANNELS) {
      const api = report.totals.channels[ch];
      expect(figure(channels.rows[ch]!.presented), ch).toBe(api.presented);
      expect(figure(channels.rows[ch]!.successes), ch).toBe(api.successes);
      expect(figure(channels.rows[ch]!.successRate), ch).toBe(api.successRate);
    }
    expect(channels.rows.call).toMatchObject({ presented: '2', successes: '1', successRate: '0.5' });
    expect(channels.rows.sms).toMatchObject({ presented: '1', successes: '1' });
    expect(channels.rows.app).toMatchObject({ presented: '1', successes: '0' });

    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.locator('#hotline').screenshot({ path: SCREENSHOT });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(5_000);
    await context.close();
  });
});
