import os from 'node:os';
import type { PoolClient } from 'pg';
import type { Db } from '../infra/db';
import { generateCustomers } from '../db/customers-generator';
import { readReport, type ReportQuery } from '../db/reports/report-sql';
import { rebuildRollups, refreshRollups } from '../db/reports/rollups';
import { withRates } from '../domain/reports/report';
import { median, seconds, writeSection } from './report';
import { benchDatabase } from './database';

const CUSTOMERS = 1_000_000;
const CAMPAIGNS = 20;
const LEADS = 2_000_000;
const ATTEMPTS_PER_LEAD = 5; // 10M call attempts
const AGENTS = 200;
const ROUNDS = 5;
const FIRST_DAY = '2026-08-01';
const LAST_DAY = '2026-11-30';
const MONTH: ReportQuery = { from: '2026-11-01', to: '2026-11-30', groupBy: ['agent', 'day'], filters: {} };

/**
 * A month's report grouped by agent and day, with 10M call attempts and 1M orders in the tables,
 * against the best bare way to get the same from the raw rows: one aggregate SELECT per table over
 * the month's rows (by their time index), grouped by agent and day. Goal (issue 14): the report
 * costs at most 1.5× the bare scan, or far less since it reads rollups.
 */
export async function benchReports(): Promise<void> {
  const { db, stop } = await benchDatabase('telemarketing_bench_reports');
  try {
    const loadMs = await ensureData(db);
    const rebuildStart = performance.now();
    await rebuildRollups(db, FIRST_DAY, LAST_DAY);
    const rebuildMs = performance.now() - rebuildStart;
    await db.query('VACUUM ANALYZE report_daily');
    await db.query('VACUUM ANALYZE report_agent_days');
    const rollupRows = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM report_daily')).rows[0]!.n);

    const report = async () => (await readReport(db, MONTH)).map((g) => withRates(g, true)).length;
    const viaRefresh = async () => { await refreshRollups(db); return report(); };
    let groups = 0;
    let bareGroups = 0;
    const reportMs: number[] = [];
    const bareMs: number[] = [];
    const timed = async (fn: () => Promise<number>, into: number[]) => {
      const t = performance.now();
      const n = await fn();
      into.push(performance.now() - t);
      return n;
    };
    await viaRefresh();
    await bareScan(db);
    for (let round = 1; round <= ROUNDS; round++) {
      if (round % 2) {
        bareGroups = await timed(() => bareScan(db), bareMs);
        groups = await timed(viaRefresh, reportMs);
      } else {
        groups = await timed(viaRefresh, reportMs);
        bareGroups = await timed(() => bareScan(db), bareMs);
      }
      console.log(`round ${round}: bare ${seconds(bareMs.at(-1)!)}, report ${seconds(reportMs.at(-1)!)}`);
    }
    // A running campaign's day: its calls since the last refresh are brought up before the answer.
    const runningMs = await runningCampaignDay(db, report);
    const ratio = median(reportMs) / median(bareMs);
    console.log(`report ${seconds(median(reportMs))} · bare scan ${seconds(median(bareMs))} · ratio ${ratio.toFixed(3)}`);
    const counts = await db.query<{ calls: string; orders: string; leads: string }>(
      'SELECT (SELECT count(*) FROM call_attempts) AS calls, (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM leads) AS leads');
    writeSection('reports', `## reports: a month by agent and day over 10M calls and 1M orders

\`npm run bench -- reports\`, last run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} cores.

| | median of ${ROUNDS} | runs |
|---|---|---|
| bare: one aggregate \`SELECT\` per table over the month's raw rows, by agent and day (${bareGroups.toLocaleString()} groups) | ${seconds(median(bareMs))} | ${bareMs.map(seconds).join(', ')} |
| report: bring the rollups up to date, read the month by agent and day, compute the rates (${groups.toLocaleString()} groups) | ${seconds(median(reportMs))} | ${reportMs.map(seconds).join(', ')} |
| **ratio** | **${ratio.toFixed(3)}** | goal ≤ 1.5, or far less from rollups: ${ratio <= 1.5 ? 'met' : 'missed'} |

Tables: ${Number(counts.rows[0]!.calls).toLocaleString()} call attempts (about 1% of the generated customers share a number with another, so are not listed), ${Number(counts.rows[0]!.orders).toLocaleString()} orders, ${Number(counts.rows[0]!.leads).toLocaleString()} leads of ${CAMPAIGNS} campaigns, ${AGENTS} agents, ${FIRST_DAY} to ${LAST_DAY}${loadMs ? ` (generated in ${seconds(loadMs)}, kept in database telemarketing_bench_reports)` : ' (kept from an earlier run)'}.
Rebuilding every rollup of those four months from the tables took ${seconds(rebuildMs)} (${rollupRows.toLocaleString()} rows of report_daily).
With a running campaign's day to bring up first (2,000 calls of one campaign since the last refresh, a third taken by agents), the report answered in ${seconds(runningMs)}: a refresh recomputes the whole (campaign, day) slice that was written to.
`);
  } finally {
    await stop();
  }
}

/** The month by agent and day straight from the raw rows: calls and orders, each in one pass. */
async function bareScan(db: Db): Promise<number> {
  const [calls, orders] = await Promise.all([
    db.query(`SELECT agent_id, (started_at AT TIME ZONE 'Asia/Shanghai')::date AS day, count(*) AS calls,
                     count(*) FILTER (WHERE connected) AS connected, sum(duration_sec) AS talk,
                     count(*) FILTER (WHERE disposition = 'accepted') AS accepted
                FROM call_attempts WHERE purpose = 'sales' AND started_at >= $1::date - 1 AND started_at < $2::date + 2
               GROUP BY 1, 2`, [MONTH.from, MONTH.to]),
    db.query(`SELECT agent_id, (created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, count(*) AS ordered,
                     count(activated_at) AS activated
                FROM orders WHERE created_at >= $1::date - 1 AND created_at < $2::date + 2 GROUP BY 1, 2`, [MONTH.from, MONTH.to]),
  ]);
  return Math.max(calls.rowCount ?? 0, orders.rowCount ?? 0);
}

async function runningCampaignDay(db: Db, report: () => Promise<number>): Promise<number> {
  // One campaign's last hour: 2,000 calls, a third of them taken by agents.
  await db.query(`
    INSERT INTO call_attempts (id, purpose, campaign_id, lead_id, attempt_no, disposition, connected, duration_sec, agent_id, started_at, ended_at)
    SELECT 'live-' || l.id || '-' || extract(epoch FROM clock_timestamp())::bigint, 'sales', l.campaign_id, l.id, 9,
           CASE WHEN l.n % 3 = 0 THEN 'refused' ELSE 'no-answer' END, l.n % 3 = 0, CASE WHEN l.n % 3 = 0 THEN 60 ELSE 0 END,
           CASE WHEN l.n % 3 = 0 THEN 'agent-' || (1 + l.n % ${AGENTS}) END,
           '2026-11-30T03:00Z'::timestamptz + make_interval(secs => l.n::int), '2026-11-30T03:00Z'::timestamptz + make_interval(secs => l.n::int + 60)
      FROM (SELECT id, campaign_id, row_number() OVER (ORDER BY id) AS n FROM leads WHERE campaign_id = 'bench-c19' ORDER BY id LIMIT 2000) l`);
  const t = performance.now();
  await refreshRollups(db);
  await report();
  return performance.now() - t;
}

/** Generates the tables once (kept in the bench's database); answers how long it took, 0 if kept. */
async function ensureData(db: Db): Promise<number> {
  const count = async (table: string) => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
  const callsKept = await count('call_attempts') >= LEADS * ATTEMPTS_PER_LEAD * 0.95;
  if (callsKept && await count('orders') >= (LEADS / 2) * 0.95) return 0;
  const t = performance.now();
  if (callsKept) { // a run stopped before the orders
    const client = await db.connect();
    try { await insertOrders(client); } finally { client.release(); }
    await db.query('VACUUM ANALYZE orders');
    return performance.now() - t;
  }
  console.log('generating 10M call attempts and 1M orders (once; kept in database telemarketing_bench_reports) …');
  await db.query('TRUNCATE report_daily, report_agent_days, report_dirty, deliveries, order_events, orders, call_attempts, leads, agents, teams CASCADE');
  if (Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM customers')).rows[0]!.n) < CUSTOMERS) {
    await generateCustomers(db, { count: CUSTOMERS, seed: 14 });
  }
  const client = await db.connect();
  try {
    // A bulk load, as from another system: no triggers (so no marks); the rollups are rebuilt after.
    await client.query(`SET session_replication_role = replica`);
    await client.query(`SELECT setseed(0.14)`);
    await client.query(`INSERT INTO teams (code, name) SELECT 'team-' || t, 'Team ' || t FROM generate_series(1, 10) t`);
    await client.query(`INSERT INTO agents (id, team, name) SELECT 'agent-' || a, 'team-' || (a % 10 + 1), 'Agent ' || a FROM generate_series(1, ${AGENTS}) a`);
    await client.query(`
      INSERT INTO campaigns (id, name, definition, status, workflow_id)
      SELECT 'bench-c' || k, 'Bench ' || k, jsonb_build_object('offer', jsonb_build_object('code', 'offer-' || (k % 5), 'name', 'Offer', 'price', 58), 'team', 'team-' || (k % 10 + 1)),
             'completed', 'campaign-bench-c' || k FROM generate_series(0, ${CAMPAIGNS - 1}) k ON CONFLICT DO NOTHING`);
    // Campaign k starts on day 5k of the period and lists its leads over three days.
    await client.query(`
      INSERT INTO leads (id, campaign_id, customer_id, msisdn, region, state, attempts, listed_at)
      SELECT i, 'bench-c' || (i % ${CAMPAIGNS}), c.id, c.msisdn, c.region, 'done', ${ATTEMPTS_PER_LEAD},
             '${FIRST_DAY}T01:00Z'::timestamptz + make_interval(days => (i % ${CAMPAIGNS}) * 5, secs => (i / ${CAMPAIGNS}) % 259200)
        FROM generate_series(1, ${LEADS}) i
        JOIN customers c ON c.id = ((i / ${CAMPAIGNS}) + (i % ${CAMPAIGNS}) * 50000) % ${CUSTOMERS} + 1
      ON CONFLICT DO NOTHING -- the customer base has a few shared numbers, as real data does`);
    await client.query(`SELECT setval('leads_id_seq', ${LEADS})`);
    await client.query(`
      INSERT INTO call_attempts (id, purpose, campaign_id, lead_id, customer_id, attempt_no, disposition, connected, duration_sec, agent_id, started_at, ended_at)
      SELECT l.id || '-' || n, 'sales', l.campaign_id, l.id, l.customer_id, n, d.disposition, d.connected, d.sec,
             CASE WHEN d.connected THEN 'agent-' || (1 + (l.id * 7 + n) % ${AGENTS}) END,
             l.listed_at + make_interval(days => n * 5, secs => ((l.id * 13 + n * 3600) % 36000)),
             l.listed_at + make_interval(days => n * 5, secs => ((l.id * 13 + n * 3600) % 36000) + d.sec + 15)
        FROM leads l CROSS JOIN generate_series(1, ${ATTEMPTS_PER_LEAD}) n
        CROSS JOIN LATERAL (SELECT r, CASE WHEN r < 0.08 THEN 'not-placed' WHEN r < 0.45 THEN 'no-answer' WHEN r < 0.6 THEN 'busy'
                                           WHEN r < 0.63 THEN 'abandoned' WHEN r < 0.85 THEN 'refused' ELSE 'accepted' END AS disposition,
                                   r >= 0.63 AS connected, CASE WHEN r >= 0.63 THEN 30 + ((l.id + n) % 300)::int ELSE 0 END AS sec
                              FROM (SELECT random() AS r) x) d`);
    await insertOrders(client);
    await client.query(`SET session_replication_role = origin`);
  } finally {
    client.release();
  }
  for (const table of ['leads', 'call_attempts', 'orders', 'customers']) await db.query(`VACUUM ANALYZE ${table}`);
  return performance.now() - t;
}

/** One order for every other lead: 1M orders, most delivered, activated and followed up (no triggers: a bulk load). */
async function insertOrders(client: PoolClient): Promise<void> {
  await client.query('SET session_replication_role = replica');
  await client.query(`
    INSERT INTO orders (id, campaign_id, lead_id, customer_id, region, offer_code, status, stage, address, agent_id, created_at,
                        delivered_at, activated_at, followed_up_at, followup_result, satisfaction, delivery_attempts)
    SELECT l.campaign_id || '-' || l.id, l.campaign_id, l.id, l.customer_id, l.region, 'offer-' || (l.id % 5), 'completed', 'done', 'addr',
           'agent-' || (1 + l.id % ${AGENTS}), t.at, t.at + interval '2 days', t.at + interval '2 days 3 hours',
           CASE WHEN l.id % 10 < 6 THEN t.at + interval '9 days' END, CASE WHEN l.id % 10 < 6 THEN 'reached' END,
           CASE WHEN l.id % 10 < 6 THEN 1 + l.id % 5 END, 1
      FROM leads l CROSS JOIN LATERAL (SELECT l.listed_at + make_interval(days => (5 + l.id % 20)::int, secs => (l.id * 17) % 36000) AS at) t
     WHERE l.id % 2 = 0`);
  await client.query('SET session_replication_role = origin');
}
