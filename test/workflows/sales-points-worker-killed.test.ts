import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { temporal } from '@temporalio/proto';
import { msToTs } from '@temporalio/common/lib/time';
import { reconcileMonth } from '../../db/sales-points/reconcile-sql';
import { addMonths } from '../../domain/sales-points/month';
import { salesPointsRunQuery, salesPointsRunWorkflowId } from '../../workflows/sales-points/messages';
import { scheduleDefinitions } from '../../workers/schedules';
import { startHarness, waitUntil, type Harness } from '../support/harness';
import { addEntry, addImport, makeOrg, makeService, makeStaff, tag } from '../support/sales-points';

/**
 * A month's run whose worker process is killed outright (SIGKILL) in the middle of the
 * reconciliation, with every row of the pass written and not yet committed (docs/sales-points.md,
 * The run on Temporal). The transaction dies with the process; Temporal times the attempt out on
 * its missing heartbeats and a fresh worker runs it again: the run ends with exactly the totals and
 * rows an uninterrupted reconciliation of the same inputs gives, nothing doubled.
 */
const MONTH = '2025-05';
const monthStart = `${MONTH}-01`;
const workflowId = salesPointsRunWorkflowId(MONTH);
const { PendingActivityState, EventType, TimeoutType } = temporal.api.enums.v1;

let h: Harness;
beforeAll(async () => { h = await startHarness({ workerProcess: true }); });
afterAll(async () => {
  if (!h) return;
  // What would outlive this file's worker on the shared test server: a run left waiting (see
  // sales-points-run.test.ts), and the Schedules the worker process made at its start (workers/main.ts),
  // which would go on starting workflows on this file's task queue.
  for await (const w of h.client.workflow.list({ query: `TaskQueue = '${h.taskQueue}' AND ExecutionStatus = 'Running'` })) {
    await h.client.workflow.getHandle(w.workflowId, w.runId).terminate('the test file is over').catch(() => undefined);
  }
  for (const { scheduleId } of scheduleDefinitions({ taskQueue: h.taskQueue, timeZone: h.config.OPERATOR_TIME_ZONE })) {
    const schedule = h.client.schedule.getHandle(scheduleId);
    const ours = await schedule.describe().then((d) => d.action.type === 'startWorkflow' && d.action.taskQueue === h.taskQueue, () => false);
    if (ours) await schedule.delete();
  }
  await h.close();
});

const finance = () => ({ authorization: `Bearer ${h.token('finance', 'fiona')}` });

/** The month's rows a reconciliation writes, without their ids: what a clean pass must write alike. */
async function monthRows() {
  const matches = await h.db.query(
    `SELECT entry_id::int, outcome, reason, detail FROM sales_matches WHERE month = $1::date ORDER BY entry_id`, [monthStart]);
  const ledger = await h.db.query(
    `SELECT staff_id, kind, points::float, entry_id::int, reason FROM points_ledger WHERE run_month = $1::date
      ORDER BY staff_id, kind, entry_id, points, reason`, [monthStart]);
  return { matches: matches.rows, ledger: ledger.rows };
}

/** The backend of the worker's reconciliation, once it waits on a lock for `query` (pid, or undefined). */
async function reconcileWaitingOn(waitEvent: string, query: string): Promise<number | undefined> {
  const { rows: [r] } = await h.db.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = $1 AND query ILIKE $2 AND pid <> pg_backend_pid()`,
    [waitEvent, `%${query}%`]);
  return r?.pid;
}

describe("a month's run whose worker is killed mid-reconciliation", () => {
  it('finishes with the totals and rows of a clean reconciliation: the killed pass left nothing, nothing is doubled', async () => {
    // The month's inputs: two staff, three sales, billing's (uploaded) list of the month.
    const t = tag();
    const org = await makeOrg(h.db, `k${t}`);
    const [ann, bob] = [await makeStaff(h.db, `ka-${t}`, org), await makeStaff(h.db, `kb-${t}`, org)];
    const svc = await makeService(h.db, `ksvc-${t}`, [{ from: '2024-01-01', points: 10 }]);
    const number = (n: number) => `138${t.replace(/\D/g, '').padEnd(4, '5').slice(0, 4)}${String(n).padStart(4, '0')}`;
    await addEntry(h.db, { service: svc, msisdn: number(1), staff: ann, org, soldAt: '2025-05-10T04:00:00Z' });
    await addEntry(h.db, { service: svc, msisdn: number(2), staff: bob, org, soldAt: '2025-05-11T04:00:00Z' });
    await addEntry(h.db, { service: svc, msisdn: number(3), staff: bob, org, soldAt: '2025-05-12T04:00:00Z' });
    const importId = await addImport(h.db, MONTH, [
      { msisdn: number(1), service: svc, activatedOn: '2025-05-10' },
      { msisdn: number(2), service: svc, activatedOn: '2025-05-11' },
    ]);

    // The test holds the next month's lock (the reconciliation takes it right after its own month's;
    // the run's start takes only its own, so the run gets as far as the reconciliation) ...
    const lock: pg.PoolClient = await h.db.connect();
    const next = addMonths(MONTH, 1);
    let orphan: number | undefined;
    let attemptId: string | undefined;
    try {
      await lock.query(`SELECT pg_advisory_lock(hashtextextended('sales-points-month:' || $1, 0))`, [next]);
      expect((await h.inject({ method: 'POST', url: '/sales-points/runs', headers: finance(), payload: { month: MONTH } })).statusCode).toBe(201);
      await waitUntil('the reconciliation waiting for the month', () => reconcileWaitingOn('advisory', 'sales-points-month'), { timeoutMs: 40_000 });
      const pending = (await h.client.workflow.getHandle(workflowId).describe()).raw.pendingActivities ?? [];
      expect(pending.map((a) => [a.activityType?.name, a.state, a.attempt])).toEqual([['reconcileSalesMonth', PendingActivityState.PENDING_ACTIVITY_STATE_STARTED, 1]]);
      attemptId = pending[0]!.activityId!;

      // ... then the run's row, and lets the month go: the pass writes its matches and ledger and
      // waits, uncommitted, on its last statement (the run's row).
      await lock.query('BEGIN');
      await lock.query('SELECT 1 FROM sales_point_runs WHERE month = $1::date FOR UPDATE', [monthStart]);
      await lock.query(`SELECT pg_advisory_unlock(hashtextextended('sales-points-month:' || $1, 0))`, [next]);
      orphan = await waitUntil('the reconciliation at its last statement', () => reconcileWaitingOn('transactionid', 'reconciled_at'), { timeoutMs: 20_000 });
      const { rows: written } = await h.db.query<{ relname: string }>(
        `SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
          WHERE l.pid = $1 AND l.mode = 'RowExclusiveLock' AND c.relname IN ('sales_matches', 'points_ledger') ORDER BY 1`, [orphan]);
      expect(written.map((r) => r.relname)).toEqual(['points_ledger', 'sales_matches']);

      // The worker dies as a crash or an OOM kill would; a fresh one polls the queue.
      await h.killWorker();
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      lock.release();
    }

    // The dead worker's connection: its statement ends, it finds no client and rolls back. Nothing of that pass stays.
    await waitUntil('the killed pass rolled back', async () =>
      (await h.db.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [orphan])).rowCount === 0, { timeoutMs: 20_000 });
    expect((await h.db.query('SELECT status FROM sales_point_runs WHERE month = $1::date', [monthStart])).rows).toEqual([{ status: 'importing' }]);
    expect(await monthRows()).toEqual({ matches: [], ledger: [] });

    // The totals and rows of a clean reconciliation of the same inputs, committed before the retry
    // as a pass killed after its commit (before Temporal heard of it) would have left them.
    const clean = await reconcileMonth(h.db, MONTH, { importId, timeZone: h.config.OPERATOR_TIME_ZONE });
    expect(clean).toMatchObject({ entries: 3, matched: 2, unmatched: { 'not-in-billing': 1 }, points: { sale: 20 }, totalPoints: 20, staff: 2 });
    const cleanRows = await monthRows();
    expect(cleanRows.matches).toHaveLength(1); // the unmatched sale: a matched one has no match row (db/sales-points/outcome-sql.ts)
    expect(cleanRows.ledger.map((r) => [r.staff_id, r.kind, r.points])).toEqual([[ann, 'sale', 10], [bob, 'sale', 10]]);

    // Temporal learns of the dead worker when the attempt's heartbeats stop: after the heartbeat
    // timeout of the run's activities (1 minute). This run's pending attempt alone gets a short one,
    // so the test does not sit out the minute; it times out and is retried by the run's own policy.
    await h.client.workflowService.updateActivityOptions({
      namespace: 'default', execution: { workflowId }, id: attemptId,
      activityOptions: { heartbeatTimeout: msToTs('1s') }, updateMask: { paths: ['heartbeat_timeout'] },
    });
    // Asked of the workflow itself: the API's GET would answer from the run's row, which the clean pass wrote.
    const waiting = await waitUntil('the run waiting for approval', async () => {
      const run = await h.client.workflow.getHandle(workflowId).query(salesPointsRunQuery);
      return run.phase === 'awaiting-approval' && run;
    }, { timeoutMs: 40_000 });
    const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
    const started = history.events!.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED).at(-1)!.activityTaskStartedEventAttributes!;
    expect(started.attempt).toBe(2);
    expect(started.lastFailure?.timeoutFailureInfo?.timeoutType).toBe(TimeoutType.TIMEOUT_TYPE_HEARTBEAT);

    // The retried pass replaced the committed rows: the same totals and rows, nothing doubled.
    expect(waiting.totals).toEqual(clean);
    expect(await monthRows()).toEqual(cleanRows);
    const approved = await h.inject({ method: 'POST', url: `/sales-points/runs/${MONTH}/approve`, headers: finance() });
    expect(approved.json()).toMatchObject({ phase: 'closed', totals: clean, approvedBy: { sub: 'fiona' } });
    expect(await monthRows()).toEqual(cleanRows);
  });
});
