import { addMonths, monthAt, type Month } from '../domain/sales-points/month';
import type { DemoApi } from './demo-api';

// The demo's sales points (docs/sales-points.md): the agents and a partner shop's clerks as staff,
// the campaign's offer and a shop service in the catalogue; after the campaign, the leaderboard,
// and last month's reconciliation played through: sales, billing's list, the run, the approval.

const CAMPAIGN_SERVICE = { code: 'fiber-300', name: 'Fibre broadband 300M', tariff: 99, points: 25 };
const SHOP_SERVICE = { code: 'vas-news', name: 'Mobile news', tariff: 10, points: 3 };
const CLERKS = ['clerk-01', 'clerk-02', 'clerk-03', 'clerk-04', 'clerk-05'];
const SALES_PER_CLERK = 6;

/** Staff (the agents in the call centre, clerks in a partner shop) and the catalogue, before the campaign: its orders credit their agents. */
export async function setUpSalesPoints(api: DemoApi, agents: readonly string[], timeZone: string): Promise<void> {
  const staff = [
    'staff_id,name,outlet,area,department,channel,bank_account_ref,active',
    ...agents.map((a) => `${a},Agent ${a.slice(6)},call-centre,area-demo,dept-demo,own,BANK-${a},true`),
    ...CLERKS.map((c, i) => `${c},Clerk ${i + 1},shop-demo,area-demo,dept-demo,partner,BANK-${c},true`),
  ].join('\n');
  await api.as('admin').postCsv('/sales-points/staff', staff);
  const from = `${addMonths(monthAt(new Date(), timeZone), -1)}-01`;
  for (const s of [CAMPAIGN_SERVICE, SHOP_SERVICE]) {
    await api.as('finance').put(`/sales-points/services/${s.code}`, { name: s.name });
    // 409: another run of the demo set other terms for that day, or the month is closed: kept.
    await api.as('finance').post(`/sales-points/services/${s.code}/terms`, { effectiveFrom: from, monthlyTariff: s.tariff, points: s.points }, {}, [200, 201, 409]);
  }
  console.log(`sales pts  ${agents.length} agents and ${CLERKS.length} shop clerks as staff; ${CAMPAIGN_SERVICE.code} earns ${CAMPAIGN_SERVICE.points} points a sale`);
}

/** This month's leaderboard: the campaign's orders made sales entries for the agents who took them. */
export async function printLeaderboard(api: DemoApi): Promise<void> {
  const board = await api.as('marketing').get('/sales-points/leaderboard?limit=5');
  console.log(`\nSales points this month (provisional until the month is reconciled), the best ${board.standings.length}`);
  for (const s of board.standings as { rank: number; staffId: string; sales: number; points: number }[]) {
    console.log(`  ${String(s.rank).padStart(2)}. ${s.staffId.padEnd(10)} ${String(s.sales).padStart(4)} sales  ${String(s.points).padStart(7)} points`);
  }
}

/**
 * Last month's end, as finance lives it: the clerks' sales recorded (a file), billing's list of the
 * month uploaded (most sales in it, some not: never activated, cancelled), the month's run started,
 * reconciled on Temporal, approved and closed; then the totals and the payout file. A second demo
 * finds the month closed and shows it as it is.
 */
export async function playLastMonthEnd(api: DemoApi, timeZone: string, uiUrl: string): Promise<void> {
  const month = addMonths(monthAt(new Date(), timeZone), -1);
  const sales = CLERKS.flatMap((clerk, i) => Array.from({ length: SALES_PER_CLERK }, (_, j) => ({
    clerk, msisdn: `1390000${String(i * 10 + j).padStart(4, '0')}`, day: `${month}-${String(2 + j * 4).padStart(2, '0')}`, n: i * SALES_PER_CLERK + j,
  })));
  await api.as('admin').postCsv('/sales/import', [
    'staff_id,service_code,msisdn,sold_at,sale_channel,customer_id',
    ...sales.map((s) => `${s.clerk},${SHOP_SERVICE.code},${s.msisdn},${s.day}T10:00:00+08:00,shop,`),
  ].join('\n'));
  // Billing's list: every seventh sale never activated, every eleventh cancelled before the month's end.
  const billing = [
    'msisdn,service_code,activated_on,cancelled_on,used',
    ...sales.filter((s) => s.n % 7 !== 3).map((s) => `${s.msisdn},${SHOP_SERVICE.code},${s.day},${s.n % 11 === 5 ? `${month}-25` : ''},true`),
  ].join('\n');
  await api.as('finance').postCsv(`/sales-points/billing-imports?month=${month}&fileName=billing-${month}.csv`, billing, [200, 201, 409]);
  const run = await api.as('finance').post('/sales-points/runs', { month });
  const view = await awaitDecision(api, month);
  if (view.phase !== 'closed') await api.as('finance').post(`/sales-points/runs/${month}/approve`, {});
  const closed = await api.as('finance').get(`/sales-points/runs/${month}`);
  const totals = closed.totals as { matched: number; entries: number; unmatched: Record<string, number>; totalPoints: number; staff: number } | null;
  const payout = (await api.as('finance').getText(`/sales-points/runs/${month}/payout.csv`)).trim().split('\n').slice(1);
  console.log(`\nSales points of ${month}, reconciled against billing and closed (run ${run.workflowId})`);
  if (totals) {
    const unmatched = Object.entries(totals.unmatched).filter(([, n]) => n).map(([why, n]) => `${n} ${why}`).join(', ') || 'none';
    console.log(`  ${totals.matched} of ${totals.entries} sales matched; unmatched: ${unmatched}; ${totals.totalPoints} points for ${totals.staff} staff`);
  }
  console.log(`  payout file: ${payout.length} staff (GET /sales-points/runs/${month}/payout.csv)`);
  console.log(`  the run      ${uiUrl}/workflows/${run.workflowId}`);
}

/** Polls the month's run until it waits for approval (or is closed already). */
async function awaitDecision(api: DemoApi, month: Month): Promise<{ phase: string }> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const view = await api.as('finance').get(`/sales-points/runs/${month}`);
    if (view.phase === 'awaiting-approval' || view.phase === 'closed') return view;
    if (Date.now() > deadline) throw new Error(`the sales points run of ${month} did not reach its approval within 2 minutes (phase ${view.phase}); see .data/logs/worker.log`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
