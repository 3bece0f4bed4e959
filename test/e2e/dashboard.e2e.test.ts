import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { REPORT_FUNNEL } from '../../domain/reports/figures';
import type { Role } from '../../domain/access/roles';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/stack/chromium';
import { DATA_DIR } from '../../scripts/stack/paths';
import { ownDatabase } from '../support/own-database';
import { api, launch, staffTeam, testCampaign } from '../support/campaigns';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';
import { figure, readTable } from '../support/dashboard-tables';

/**
 * The dashboard in a real browser (Debian's chromium, driven by playwright-core), over a database
 * of its own so the page shows this test's figures alone: a small campaign with a name that is
 * markup, seen while it is paused (the page reloads itself) and once it and its orders settled
 * (it stops), every table's figures equal to the API's for the same period, and the sign-in form.
 */
let h: Harness;
let browser: Browser;
const SCREENSHOT = path.join(DATA_DIR, 'test', 'dashboard.png');
const NAME = 'Dash <script>window.__dashXss = 1</script> & "friends"';

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: npm test installs Debian's chromium when it runs as root (scripts/stack/chromium.ts); install it or set CHROMIUM_PATH`);
  }
  const databaseUrl = await ownDatabase('dashboard');
  [h, browser] = await Promise.all([
    // Half the deliveries fail at a wrong address: held for a scheduler.
    startHarness({ databaseUrl, sims: { courier: { mix: { delivered: 0.5, 'customer-absent': 0, 'wrong-address': 0.5, refused: 0, 'courier-lost': 0 } } } }),
    chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS }),
  ]);
  // One handset per warehouse: the campaign's later orders wait for stock (the backorders).
  await h.db.query(`UPDATE stock SET on_hand = 1, received = 1 + reserved + shipped WHERE sku = 'handset'`);
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});


const as = (role: Role) => ({ authorization: `Bearer ${h.token(role)}` });

describe('the dashboard in Chromium', () => {
  it('signs a wall screen in by link, follows a running campaign, and shows the figures the API gives', async () => {
    const id = uniqueId('dash');
    const team = `t-${id.slice(-8)}`;
    await staffTeam(h, team, [`${team}-a1`, `${team}-a2`, `${team}-a3`]);
    await launch(h, testCampaign(id, {
      name: NAME, team,
      offer: { code: 'fiber-300', name: 'Fibre 300M', price: 99, ships: [{ sku: 'sim-card', qty: 1 }, { sku: 'handset', qty: 1 }] },
      segment: { maxLeads: 30 },
      dialing: { maxConcurrentCalls: 3, maxAttempts: 2, retryDelaySeconds: 1 },
    }));
    await waitUntil('a few calls', async () => Number((await h.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM call_attempts WHERE campaign_id = $1 AND ended_at IS NOT NULL`, [id])).rows[0]!.n) >= 3);
    expect((await api(h, 'POST', `/campaigns/${id}/pause`)).status).toBe(200);
    await waitUntil('paused in Postgres', async () => (await api(h, 'GET', `/campaigns/${id}`)).body.status === 'paused');

    // The wall screen's link: the token goes into the cookie, and out of the address.
    const context = await browser.newContext();
    const page = await context.newPage();
    const opened = await page.goto(`${h.apiUrl}/dashboard?token=${h.token('qa', 'wall-screen')}`);
    expect(opened!.status()).toBe(200);
    expect(page.url()).toBe(`${h.apiUrl}/dashboard`);
    expect(await context.cookies()).toContainEqual(expect.objectContaining({
      name: 'dashboard_session', path: '/dashboard', httpOnly: true, sameSite: 'Strict',
    }));
    expect(await page.locator('header').textContent()).toContain('signed in as wall-screen (qa)');

    // A campaign under way: the page reloads itself, and shows it with its pacing.
    expect(await page.locator('meta[http-equiv="refresh"]').getAttribute('content')).toBe('15');
    expect(await page.locator(`[data-campaign="${id}"] h3`).textContent()).toContain(NAME);
    expect(await page.evaluate(() => (globalThis as { __dashXss?: number }).__dashXss)).toBeUndefined();
    const pacing = await readTable(page, 'campaign-pacing');
    expect(pacing.rows[id]).toMatchObject({ name: NAME, pacingMode: 'progressive', maxConcurrentCalls: '3' });
    expect(figure(pacing.rows[id]!.inFlight)).toBeLessThanOrEqual(3); // a pause lets the calls under way end
    expect(figure(pacing.rows[id]!.callsLastHour)).toBeGreaterThan(0);
    expect((await readTable(page, 'campaign-funnels')).rows[id]).toMatchObject({ status: 'paused', listed: '30' });

    // The campaign ends, its orders settle (done, or held for a scheduler or for stock).
    expect((await api(h, 'POST', `/campaigns/${id}/resume`)).status).toBe(200);
    await waitUntil('the campaign to end and its orders to settle', async () => {
      if ((await api(h, 'GET', `/campaigns/${id}`)).body.status !== 'completed') return false;
      const { rows: [r] } = await h.db.query<{ moving: string }>(
        `SELECT count(*) FILTER (WHERE stage <> 'done' AND status NOT IN ('held', 'cancelled', 'failed')) AS moving FROM orders WHERE campaign_id = $1`, [id]);
      return r!.moving === '0';
    }, { timeoutMs: 90_000, intervalMs: 500 });

    await page.reload();
    expect(await page.locator('meta[http-equiv="refresh"]').count()).toBe(0);
    expect(await page.locator('#refresh').textContent()).toContain('not refreshing');

    // The campaign's funnel: the reporting module's totals for it over the page's period.
    const funnels = await readTable(page, 'campaign-funnels');
    const report = async (query: string) => {
      const res = await api(h, 'GET', `/reports/funnel?${query}`, undefined, as('marketing'));
      expect(res.status).toBe(200);
      return res.body;
    };
    const mine = (await report(`campaignId=${id}&from=${funnels.attrs.from}&to=${funnels.attrs.to}`)).totals;
    const row = funnels.rows[id]!;
    expect(row.status).toBe('completed');
    for (const step of REPORT_FUNNEL) expect(figure(row[step]), step).toBe(mine.counts[step]);
    expect(figure(row.contactRate)).toBe(mine.rates.contactRate);
    expect(figure(row.conversionPerConnectedCall)).toBe(mine.rates.conversionPerConnectedCall);
    expect(mine.counts.listed).toBe(30);
    expect(mine.counts.ordered).toBeGreaterThan(0);

    // Calls and sales per day: the report grouped by day, day by day.
    const daily = await readTable(page, 'daily-table');
    const byDay = await report(`groupBy=day&from=${daily.attrs.from}&to=${daily.attrs.to}`);
    expect(Object.keys(daily.rows).sort()).toEqual(byDay.rows.map((r: { group: { day: string } }) => r.group.day).sort());
    for (const r of byDay.rows) {
      const shown = daily.rows[r.group.day]!;
      for (const k of ['calls', 'connectedCalls', 'accepted', 'ordered', 'activated'] as const) expect(figure(shown[k]), `${r.group.day} ${k}`).toBe(r.counts[k]);
      expect(figure(shown.contactRate)).toBe(r.rates.contactRate);
    }
    expect(byDay.totals.counts.calls).toBeGreaterThan(0);

    // The leaderboard: the report grouped by agent, by sales, with contact rate and sales per agent hour.
    const board = await readTable(page, 'leaderboard-table');
    const byAgent = (await report(`groupBy=agent&from=${board.attrs.from}&to=${board.attrs.to}`)).rows
      .filter((r: { group: { agent: string } }) => r.group.agent);
    expect(Object.keys(board.rows).sort()).toEqual(byAgent.map((r: { group: { agent: string } }) => r.group.agent).sort());
    expect(byAgent.length).toBeGreaterThan(0);
    for (const r of byAgent) {
      const shown = board.rows[r.group.agent]!;
      expect(figure(shown.calls)).toBe(r.counts.calls);
      expect(figure(shown.accepted)).toBe(r.counts.accepted);
      expect(figure(shown.conversionPerConnectedCall)).toBe(r.rates.conversionPerConnectedCall);
      expect(figure(shown.agentHours)).toBe(r.agentHours);
      expect(figure(shown.salesPerAgentHour)).toBe(r.rates.salesPerAgentHour);
    }
    const sales = Object.values(board.rows).map((r) => figure(r.accepted)!);
    expect(sales).toEqual([...sales].sort((a, b) => b - a));

    // Held deliveries by region: the dispatchers' queue (GET /deliveries) counted by region.
    const held = await readTable(page, 'held-table');
    const queue = (await api(h, 'GET', '/deliveries?limit=1000', undefined, as('scheduler'))).body.deliveries as { region: string }[];
    const perRegion: Record<string, number> = {};
    for (const d of queue) perRegion[d.region] = (perRegion[d.region] ?? 0) + 1;
    expect(Object.fromEntries(Object.entries(held.rows).map(([region, r]) => [region, figure(r.total)]))).toEqual(perRegion);
    for (const r of Object.values(held.rows)) {
      expect([0, 1, 2, 3, 4].reduce((sum, i) => sum + figure(r[`band${i}`])!, 0)).toBe(figure(r.total));
      expect(figure(r.band0)).toBe(figure(r.total)); // all failed within the last hour
    }

    // Backorders: GET /stock/shortages, item by item.
    const backorders = await readTable(page, 'backorders-table');
    const shortages = (await api(h, 'GET', '/stock/shortages', undefined, as('logistics'))).body.shortages as
      { warehouse: string; sku: string; orders: number; wanted: number; onHand: number; missing: number }[];
    expect(shortages.length).toBeGreaterThan(0);
    expect(Object.keys(backorders.rows).sort()).toEqual(shortages.map((s) => `${s.warehouse}/${s.sku}`).sort());
    for (const s of shortages) {
      expect(backorders.rows[`${s.warehouse}/${s.sku}`]).toMatchObject({
        orders: String(s.orders), wanted: String(s.wanted), onHand: String(s.onHand), missing: String(s.missing),
      });
    }

    // ROI per campaign: GET /reports/roi grouped by campaign, over the same days.
    const roiTable = await readTable(page, 'roi-table');
    const roi = (await api(h, 'GET', `/reports/roi?groupBy=campaign&from=${roiTable.attrs.from}&to=${roiTable.attrs.to}`, undefined, as('finance'))).body;
    const mineRoi = roi.rows.find((r: { group: { campaign: string } }) => r.group.campaign === id);
    // Revenue comes with activations, and a run may have none: the courier delivers half the
    // parcels at random, and the handsets run short (seen once: every shipped order held).
    if (mine.counts.activated > 0) expect(mineRoi.revenue.net).toBeGreaterThan(0);
    expect(roiTable.rows[id]).toMatchObject({ revenue: String(mineRoi.revenue.net), cost: String(mineRoi.totalCost) });
    expect(figure(roiTable.rows[id]!.roi)).toBe(mineRoi.roi);

    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    await context.close();
  });

  it('asks a browser without a cookie for a token, says why one does not pass, and signs in through the form', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const first = await page.goto(`${h.apiUrl}/dashboard`);
    expect(first!.status()).toBe(401);
    expect(await page.locator('form#login').count()).toBe(1);
    expect(await page.locator('#message').count()).toBe(0);

    await page.fill('#token', 'not-a-token');
    await page.click('#login button');
    await page.waitForFunction(() => (globalThis as any).document.getElementById('state').textContent.includes('Not signed in')); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(await page.locator('#state').textContent()).toContain('(401)');

    await page.fill('#token', h.token('marketing', 'mia'));
    await page.click('#login button');
    await page.waitForSelector('#daily-table');
    expect(page.url()).toBe(`${h.apiUrl}/dashboard`);
    expect(await page.locator('header').textContent()).toContain('signed in as mia (marketing)');
    expect((await context.cookies()).map((c) => c.name)).toContain('dashboard_session');
    await context.close();

    // A role the dashboard does not let in: the form again, with the reason.
    const other = await browser.newContext();
    const agentPage = await other.newPage();
    expect((await agentPage.goto(`${h.apiUrl}/dashboard?token=${h.token('agent', 'ann')}`))!.status()).toBe(403);
    expect(await agentPage.locator('#message').textContent()).toContain('may not see the dashboard');
    expect(await other.cookies()).toEqual([]);
    await other.close();
  });
});
