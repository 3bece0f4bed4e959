import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import type pg from 'pg';
import { monthAt, monthEndedBefore } from '../../domain/sales-points/month';
import type { RunTotals } from '../../domain/sales-points/reconciliation';
import { describeTotals } from '../../domain/sales-points/run';
import { salesPointsRunQuery, salesPointsRunWorkflowId, SALES_POINTS_BUDGET_WATCH_SCHEDULE_ID, SALES_POINTS_MONTHLY_SCHEDULE_ID, type SalesPointsRunView } from '../../workflows/sales-points/messages';
import { ensureSchedules, scheduleDefinitions } from '../../workers/schedules';
import { replayAndKeep } from '../support/histories';
import { startSalesPointsRun } from '../../activities/sales-points/start-run';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';

/**
 * The month's run on the real Temporal server (docs/sales-points.md, The run on Temporal): started
 * once per month, approved and closed, refused before reconciliation, escalated, and started by
 * its Schedule. Each test runs its own month. (A worker killed mid-run: sales-points-worker-killed.test.ts.)
 */
let h: Harness;
const idPrefix = `${uniqueId('t')}-`;
const finance = () => ({ authorization: `Bearer ${h.token('finance', 'fiona')}` });
/** The totals the month's reconciliation wrote: the run passes them through. */
const rowTotals = async (month: string) =>
  (await h.db.query<{ totals: RunTotals }>('SELECT totals FROM sales_point_runs WHERE month = $1::date', [`${month}-01`])).rows[0]!.totals;

beforeAll(async () => { h = await startHarness(); });
afterAll(async () => {
  await h.db.query('UPDATE sales_points_settings SET approval_escalate_after_seconds = 259200');
  for (const { scheduleId } of scheduleDefinitions({ taskQueue: h.taskQueue, timeZone: h.config.OPERATOR_TIME_ZONE, idPrefix })) {
    await h.client.schedule.getHandle(scheduleId).delete().catch((err) => { if (!(err instanceof ScheduleNotFoundError)) throw err; });
  }
  // Runs still waiting on this file's task queue would outlive its worker on the shared test server,
  // and a run's id is its month's: another file (the fuzzer) starting that month would join a run no
  // worker answers. They end with this file.
  for await (const w of h.client.workflow.list({ query: `TaskQueue = '${h.taskQueue}' AND ExecutionStatus = 'Running'` })) {
    await h.client.workflow.getHandle(w.workflowId, w.runId).terminate('the test file is over: no worker polls its task queue any more').catch(() => undefined);
  }
  await h?.close();
});

const startRun = (month: string) => h.inject({ method: 'POST', url: '/sales-points/runs', headers: finance(), payload: { month } });
const getRun = async (month: string) => (await h.inject({ method: 'GET', url: `/sales-points/runs/${month}`, headers: finance() })).json() as SalesPointsRunView & { workflowStatus: string };
const awaitingApproval = (month: string) => waitUntil(`${month} waiting for approval`, async () => {
  const run = await getRun(month);
  return run.phase === 'awaiting-approval' && run;
}, { timeoutMs: 30_000 });
const decide = (month: string, action: 'approve' | 'recompute') =>
  h.inject({ method: 'POST', url: `/sales-points/runs/${month}/${action}`, headers: finance() });

/** Holds every billing import back (a SHARE lock refuses inserts) until release(): the run sits in its import. */
async function holdImports(): Promise<{ release(): Promise<void> }> {
  const client: pg.PoolClient = await h.db.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE billing_imports IN SHARE MODE');
  return { async release() { await client.query('ROLLBACK'); client.release(); } };
}
const importWaiting = () => waitUntil('the import waiting on the lock', async () =>
  (await h.db.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%billing_imports%' AND pid <> pg_backend_pid()`)).rowCount! >= 1);

describe("a month's run", () => {
  it('runs from start to approval: totals pass through, approval closes the month, a second start returns the same run', async () => {
    const month = '2025-01';
    const first = await startRun(month);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ month, workflowId: 'sales-points-2025-01', started: true });
    expect(first.json().temporalUi).toContain('sales-points-2025-01');
    const again = await startRun(month);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ workflowId: 'sales-points-2025-01', started: false });

    const waiting = await awaitingApproval(month);
    const totals = await rowTotals(month);
    expect(totals).toMatchObject({ totalPoints: expect.any(Number), staff: expect.any(Number) });
    expect(waiting).toMatchObject({ totals, importSource: 'bss-export', escalations: 0, approvedBy: null });
    expect(waiting.importId).toBeGreaterThan(0);

    const approved = await decide(month, 'approve');
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ phase: 'closed', totals, approvedBy: { sub: 'fiona', role: 'finance' } });
    const { rows } = await h.db.query(`SELECT status, approved_by FROM sales_point_runs WHERE month = '2025-01-01'`);
    expect(rows).toEqual([{ status: 'closed', approved_by: 'fiona' }]);
    expect(await getRun(month)).toMatchObject({ workflowStatus: 'COMPLETED', phase: 'closed' });

    // Closed: not run again, not recomputed, not approved twice; one import only.
    expect((await startRun(month)).json()).toMatchObject({ started: false });
    expect((await decide(month, 'recompute')).statusCode).toBe(409);
    expect((await decide(month, 'approve')).statusCode).toBe(409);
    expect((await h.db.query(`SELECT 1 FROM billing_imports WHERE month = '2025-01-01'`)).rowCount).toBe(1);
    const list = (await h.inject({ method: 'GET', url: '/sales-points/runs', headers: finance() })).json() as { runs: { month: string; status: string }[] };
    expect(list.runs).toContainEqual(expect.objectContaining({ month, status: 'closed', approvedBy: 'fiona' }));
    await replayAndKeep(h, salesPointsRunWorkflowId(month), 'sales-points-v2-approved');
  });

  it("reconciles the next month again when a month is recomputed, and finance cannot approve the next one before", async () => {
    // 2024-07's run reads 2024-06's awaiting-usage sales and credits: a recompute of 2024-06 changes what it read.
    const [earlier, later] = ['2024-06', '2024-07'];
    expect((await startRun(earlier)).statusCode).toBe(201);
    await awaitingApproval(earlier);
    expect((await startRun(later)).statusCode).toBe(201);
    expect(await awaitingApproval(later)).toMatchObject({ recomputes: 0 });

    expect((await decide(earlier, 'recompute')).statusCode).toBe(202);
    const recomputed = await waitUntil(`${later} reconciled again`, async () => {
      const run = await getRun(later);
      return run.phase === 'awaiting-approval' && run.recomputes === 1 && run;
    }, { timeoutMs: 30_000 });
    expect(recomputed.totals).toEqual(await rowTotals(later));
    expect((await getRun(earlier)).recomputes).toBe(1);
    // The chain stops at a month without a run; a closed month ignores the news.
    expect((await decide(later, 'approve')).json()).toMatchObject({ phase: 'closed' });
    expect((await decide(earlier, 'recompute')).statusCode).toBe(202);
    await waitUntil(`${earlier} recomputed again`, async () => {
      const run = await getRun(earlier);
      return run.phase === 'awaiting-approval' && run.recomputes === 2;
    }, { timeoutMs: 30_000 });
    expect(await getRun(later)).toMatchObject({ phase: 'closed', recomputes: 1 });
    await replayAndKeep(h, salesPointsRunWorkflowId(later), 'sales-points-v2-told-by-earlier-month');
    expect((await decide(earlier, 'approve')).json()).toMatchObject({ phase: 'closed' });
  });

  it("refuses finance's approval while an earlier month's pass has made the figures stale, and reconciles first", async () => {
    const month = '2024-09';
    expect((await startRun(month)).statusCode).toBe(201);
    expect(await awaitingApproval(month)).toMatchObject({ recomputes: 0 });
    // What reconcileMonth of an earlier month marks (its news to this run lost, say: the month between was closed).
    await h.db.query(`UPDATE sales_point_runs SET stale_because = '2024-07-01' WHERE month = '2024-09-01'`);
    const refused = await decide(month, 'approve');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toMatch(/2024-09 is being reconciled again: 2024-07 was reconciled after it/);
    const again = await waitUntil(`${month} reconciled again`, async () => {
      const run = await getRun(month);
      return run.phase === 'awaiting-approval' && run.recomputes === 1 && run;
    }, { timeoutMs: 30_000 });
    expect(again.importSource).toBe('bss-export');
    expect((await h.db.query(`SELECT stale_because FROM sales_point_runs WHERE month = '2024-09-01'`)).rows).toEqual([{ stale_because: null }]);
    expect((await decide(month, 'approve')).json()).toMatchObject({ phase: 'closed' });
  });

  it('keeps the figures it had when a recompute pass fails for good (billing serves a bad file), and can still be approved', async () => {
    const month = '2023-09';
    expect((await startRun(month)).statusCode).toBe(201);
    const first = await awaitingApproval(month);
    const bss = h.config.BSS_URL;
    const put = await fetch(`${bss}/exports/subscriptions`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rows: [{ msisdn: '13900000808', serviceCode: 'vas-video', activatedOn: 'yesterday', month }] }) });
    expect(put.status).toBeLessThan(300);
    try {
      expect((await decide(month, 'recompute')).statusCode).toBe(202);
      const kept = await waitUntil(`${month}'s failed pass`, async () => {
        const run = await getRun(month);
        return run.phase === 'awaiting-approval' && run.recomputes === 1 && run.lastPassError ? run : undefined;
      }, { timeoutMs: 30_000 });
      expect(kept.lastPassError).toMatch(/activated_on/);
      expect(kept.lastPassError).not.toContain('13900000808');
      expect(kept).toMatchObject({ totals: first.totals, importId: first.importId, workflowStatus: 'RUNNING' });
      expect((await h.db.query(`SELECT status FROM sales_point_runs WHERE month = '2023-09-01'`)).rows).toEqual([{ status: 'reconciled' }]);
    } finally {
      await fetch(`${bss}/exports/subscriptions`, { method: 'DELETE' });
    }
    expect((await decide(month, 'approve')).json()).toMatchObject({ phase: 'closed', totals: first.totals });
  });

  it('uses a file a person uploaded, and a recompute imports and reconciles again', async () => {
    const month = '2025-02';
    await h.db.query(`INSERT INTO billing_imports (month, source, file_name, sha256, encoding, rows, imported_by)
                      VALUES ('2025-02-01', 'upload', 'corrected.csv', 'x', 'utf-8', 7, 'fiona (finance)')`);
    expect((await startRun(month)).statusCode).toBe(201);
    expect(await awaitingApproval(month)).toMatchObject({ importSource: 'upload', importRows: 7, recomputes: 0 });
    // Taken at once (202); the pass runs after, and the run waits for approval again.
    expect((await decide(month, 'recompute')).statusCode).toBe(202);
    await waitUntil(`${month} recomputed`, async () => {
      const run = await getRun(month);
      return run.phase === 'awaiting-approval' && run.recomputes === 1 && run;
    }, { timeoutMs: 30_000 });
    expect(await getRun(month)).toMatchObject({ phase: 'awaiting-approval', importSource: 'upload', recomputes: 1 });
    expect((await decide(month, 'approve')).json()).toMatchObject({ phase: 'closed' });
  });

  it('answers approve and recompute with a 503 within seconds when no worker takes the run (not a request that hangs)', async () => {
    // A run on a task queue no worker polls: its validator never runs.
    const month = '2024-11';
    await startSalesPointsRun(h.client, uniqueId('no-worker'), month);
    for (const action of ['approve', 'recompute'] as const) {
      const started = Date.now();
      const res = await decide(month, action);
      expect(res.statusCode, `${action}: ${res.body}`).toBe(503);
      expect(Date.now() - started).toBeLessThan(25_000);
    }
    await h.client.workflow.getHandle(salesPointsRunWorkflowId(month)).terminate('test over');
  });

  it('refuses a month not ended yet (422 naming body.month), an unknown run (404), and who is not finance (403)', async () => {
    const current = monthAt(new Date(), h.config.OPERATOR_TIME_ZONE);
    const early = await startRun(current);
    expect(early.statusCode).toBe(422);
    expect(early.json().issues[0].path).toBe('body.month');
    expect((await h.inject({ method: 'GET', url: '/sales-points/runs/2024-03', headers: finance() })).statusCode).toBe(404);
    expect((await decide('2024-03', 'approve')).statusCode).toBe(404);
    const marketing = { authorization: `Bearer ${h.token('marketing')}` };
    expect((await h.inject({ method: 'POST', url: '/sales-points/runs', headers: marketing, payload: { month: '2025-03' } })).statusCode).toBe(403);
  });

  it('refuses approval before the reconciliation is done', async () => {
    const month = '2025-03';
    const hold = await holdImports();
    try {
      expect((await startRun(month)).statusCode).toBe(201);
      await importWaiting();
      const early = await decide(month, 'approve');
      expect(early.statusCode).toBe(409);
      expect(early.json().message).toMatch(/not reconciled yet \(importing\)/);
    } finally {
      await hold.release();
    }
    await awaitingApproval(month);
    expect((await decide(month, 'approve')).statusCode).toBe(200);
  });

  it('escalates when nobody approves in time: an alert, once, and the query says so', async () => {
    const month = '2025-04';
    await h.db.query('UPDATE sales_points_settings SET approval_escalate_after_seconds = 2');
    try {
      expect((await startRun(month)).statusCode).toBe(201);
      await waitUntil('the escalation', async () => (await getRun(month)).escalations === 1, { timeoutMs: 30_000 });
    } finally {
      await h.db.query('UPDATE sales_points_settings SET approval_escalate_after_seconds = 259200');
    }
    const run = await getRun(month);
    expect(run.escalatedAt).not.toBeNull();
    const { rows } = await h.db.query(`SELECT level, message FROM alerts WHERE kind = 'sales-points-approval' AND subject = $1`, [month]);
    expect(rows).toEqual([{ level: 'overdue', message: expect.stringContaining(describeTotals(await rowTotals(month))) }]);
    expect((await h.db.query(`SELECT 1 FROM sales_point_runs WHERE month = '2025-04-01' AND escalated_at IS NOT NULL`)).rowCount).toBe(1);
    expect((await decide(month, 'approve')).json()).toMatchObject({ phase: 'closed', escalations: 1 });
  });
});

describe('the Schedules', () => {
  it('are made once, the monthly one at 02:00 on the 1st in the operator\'s zone, overlap skip; a trigger joins the run finance started', async () => {
    const timeZone = h.config.OPERATOR_TIME_ZONE;
    await ensureSchedules(h.client, { taskQueue: h.taskQueue, timeZone, idPrefix });
    await ensureSchedules(h.client, { taskQueue: h.taskQueue, timeZone, idPrefix }); // a second worker's start changes nothing
    const monthly = h.client.schedule.getHandle(`${idPrefix}${SALES_POINTS_MONTHLY_SCHEDULE_ID}`);
    const described = await monthly.describe();
    expect(described.spec.timezone).toBe(timeZone);
    expect(described.spec.calendars).toEqual([expect.objectContaining({
      dayOfMonth: [{ start: 1, end: 1, step: 1 }], hour: [{ start: 2, end: 2, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }],
    })]);
    expect(described.policies).toMatchObject({ overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 3 * 86_400_000 });
    expect(described.action).toMatchObject({ workflowType: 'salesPointsMonthlyWorkflow', taskQueue: h.taskQueue, args: [{ timeZone }] });
    const watch = await h.client.schedule.getHandle(`${idPrefix}${SALES_POINTS_BUDGET_WATCH_SCHEDULE_ID}`).describe();
    expect(watch.spec.intervals?.[0]?.every).toBe(5 * 60_000);

    // The month that ended: finance started its run already; the Schedule's action joins it. (The
    // test server is shared by every test file, and the run's id is the month's: another file, the
    // fuzzer say, may have started this month's run before; then finance's start joins it too.)
    const month = monthEndedBefore(new Date(), timeZone);
    const byFinance = await startRun(month);
    expect([200, 201]).toContain(byFinance.statusCode);
    await monthly.trigger();
    const action = await waitUntil('the triggered action', async () => (await monthly.describe()).info.recentActions[0]);
    const started = await h.client.workflow.getHandle(action.action.workflow.workflowId).result();
    expect(started).toEqual({ month, workflowId: salesPointsRunWorkflowId(month), started: false });
    if (byFinance.statusCode === 201) {
      const view = await h.client.workflow.getHandle(salesPointsRunWorkflowId(month)).query(salesPointsRunQuery);
      expect(view.month).toBe(month);
    }
  });
});
