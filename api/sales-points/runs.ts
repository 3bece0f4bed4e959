import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { WorkflowNotFoundError, WorkflowUpdateStage } from '@temporalio/client';
import { MonthSchema, monthOfDay, monthStart, type Month } from '../../domain/sales-points/month';
import { monthHasEnded } from '../../domain/sales-points/run';
import { startSalesPointsRun } from '../../activities/sales-points/start-run';
import {
  approveSalesPointsUpdate, recomputeSalesPointsUpdate, salesPointsRunQuery, salesPointsRunWorkflowId, type SalesPointsRunView,
} from '../../workflows/sales-points/messages';
import type { AppDeps } from '../deps';
import { uiLink } from '../temporal-ui';
import { ErrorBody, notFound, refusalOf, ruleBroken, rules } from '../errors';

const MonthParams = z.strictObject({ month: MonthSchema });

/** How long a run's query may take before the answer comes from its row instead: a person is waiting. */
const QUERY_WAIT_MS = 3_000;

/**
 * How long approve and recompute wait for the run to take them (its worker runs the validator): past
 * it, a 503 (no worker polls the run's task queue, say). The request may still be taken once one does.
 */
const UPDATE_WAIT_MS = 10_000;

/** The promise's value, or undefined once `ms` passed first (its failure later is ignored). */
async function answeredWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), ms); });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
    promise.catch(() => undefined);
  }
}
const Actor = z.object({ sub: z.string(), role: z.string() });
const Totals = z.record(z.string(), z.unknown()).describe("The reconciliation's totals (points, staff, matched and unmatched sales, …)");
const RunLink = z.object({ month: z.string(), workflowId: z.string(), temporalUi: z.string() });
const Run = RunLink.extend({
  phase: z.enum(['importing', 'reconciling', 'awaiting-approval', 'closing', 'closed']),
  workflowStatus: z.string().describe('The workflow as Temporal has it (RUNNING, COMPLETED, …); GONE once its history was deleted'),
  importId: z.number().nullable(), importRows: z.number().nullable(), importSource: z.enum(['upload', 'bss-export']).nullable(),
  totals: Totals.nullable(), startedAt: z.string(), waitingSince: z.string().nullable(), escalatedAt: z.string().nullable(),
  escalations: z.number(), recomputes: z.number(), approvedBy: Actor.nullable(), approvedAt: z.string().nullable(),
  lastPassError: z.string().nullable().optional().describe("Why the last recompute's pass failed for good, when it did: the totals are the pass's before"),
});
const RunRow = RunLink.extend({
  status: z.enum(['importing', 'reconciled', 'closed']), importId: z.number().nullable(), totals: Totals.nullable(),
  startedAt: z.string(), reconciledAt: z.string().nullable(), escalatedAt: z.string().nullable(), approvedBy: z.string().nullable(), approvedAt: z.string().nullable(),
});

interface RunTableRow {
  month: Date; status: 'importing' | 'reconciled' | 'closed'; import_id: string | null; totals: Record<string, unknown> | null;
  started_at: Date; reconciled_at: Date | null; escalated_at: Date | null; approved_by: string | null; approved_at: Date | null;
}
const iso = (d: Date | null) => d?.toISOString() ?? null;
const PHASE_OF_STATUS = { importing: 'importing', reconciled: 'awaiting-approval', closed: 'closed' } as const;
const MONTH_ENDED = 'a month is run once it has ended in the operator\'s time zone';

/**
 * The month-end run (docs/sales-points.md, The run on Temporal): finance starts a month's run (the
 * Schedule does on the 1st), reads it, approves it or has it recomputed. One run per month.
 */
export const salesPointsRunRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const { db, client } = deps;
  const link = (month: Month) => ({ month, workflowId: salesPointsRunWorkflowId(month), temporalUi: uiLink(deps, salesPointsRunWorkflowId(month)) });
  const tableRow = async (month: Month) =>
    (await db.query<RunTableRow>('SELECT * FROM sales_point_runs WHERE month = $1::date', [monthStart(month)])).rows[0];
  const fromRow = (r: RunTableRow) => ({
    ...link(monthOfDay(r.month)), status: r.status, importId: r.import_id === null ? null : Number(r.import_id), totals: r.totals,
    startedAt: r.started_at.toISOString(), reconciledAt: iso(r.reconciled_at), escalatedAt: iso(r.escalated_at), approvedBy: r.approved_by, approvedAt: iso(r.approved_at),
  });

  const fromView = (month: Month, workflowStatus: string, view: SalesPointsRunView) =>
    ({ ...link(month), workflowStatus, ...view, totals: view.totals as Record<string, unknown> | null });

  /**
   * The run as its workflow tells it; its row when the workflow is not running and left no result
   * (or is gone), or when no worker answers the query within QUERY_WAIT_MS.
   */
  const runOf = async (month: Month): Promise<z.infer<typeof Run>> => {
    const handle = client.workflow.getHandle(salesPointsRunWorkflowId(month));
    let status = 'GONE';
    try {
      const d = await handle.describe();
      status = d.status.name;
      if (status === 'RUNNING') {
        const view = await answeredWithin(handle.query(salesPointsRunQuery), QUERY_WAIT_MS);
        if (view) return fromView(month, status, view);
        // No worker answered in time (all busy, or none polls the run's task queue): its row says what Postgres knows.
      }
      if (status === 'COMPLETED') return fromView(month, status, (await handle.result()) as SalesPointsRunView);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const r = await tableRow(month);
    if (!r) throw notFound(`the sales points run of ${month}`);
    return {
      ...link(month), workflowStatus: status, phase: PHASE_OF_STATUS[r.status], importId: r.import_id === null ? null : Number(r.import_id),
      importRows: null, importSource: null, totals: r.totals, startedAt: r.started_at.toISOString(), waitingSince: iso(r.reconciled_at),
      escalatedAt: iso(r.escalated_at), escalations: r.escalated_at ? 1 : 0, recomputes: 0,
      approvedBy: r.approved_by ? { sub: r.approved_by, role: 'finance' } : null, approvedAt: iso(r.approved_at),
    };
  };

  app.post('/sales-points/runs', {
    config: { roles: ['finance'] },
    schema: {
      tags: ['sales-points'],
      summary: "Start a month's run (import, reconcile, wait for approval); the month's run if it has one (200)",
      body: z.strictObject({ month: MonthSchema }),
      response: {
        201: RunLink.extend({ started: z.literal(true) }).describe('started now'),
        200: RunLink.extend({ started: z.literal(false) }).describe('the month already had its run (running or closed): that one'),
        400: ErrorBody, ...rules(MONTH_ENDED),
      },
    },
  }, async (request, reply) => {
    const { month } = request.body;
    if (!monthHasEnded(month, new Date(), deps.config.OPERATOR_TIME_ZONE)) {
      throw ruleBroken('body.month', `${month} has not ended yet in ${deps.config.OPERATOR_TIME_ZONE}; ${MONTH_ENDED}`);
    }
    // A closed month whose workflow's history is gone (retention) is not run again.
    if ((await tableRow(month))?.status === 'closed') return reply.status(200).send({ ...link(month), started: false as const });
    const { started } = await startSalesPointsRun(client, deps.config.TEMPORAL_TASK_QUEUE, month);
    reply.header('location', `/sales-points/runs/${month}`);
    return started ? reply.status(201).send({ ...link(month), started: true as const }) : reply.status(200).send({ ...link(month), started: false as const });
  });

  app.get('/sales-points/runs', {
    config: { roles: ['finance'] },
    schema: {
      tags: ['sales-points'],
      summary: "Every month's run, newest first: status, import, totals, escalation, approval",
      response: { 200: z.object({ runs: z.array(RunRow) }) },
    },
  }, async () => {
    const { rows } = await db.query<RunTableRow>('SELECT * FROM sales_point_runs ORDER BY month DESC LIMIT 240');
    return { runs: rows.map(fromRow) };
  });

  app.get('/sales-points/runs/:month', {
    config: { roles: ['finance'] },
    schema: {
      tags: ['sales-points'],
      summary: "A month's run: where it is, its billing import, totals, escalations, who approved",
      params: MonthParams,
      response: { 200: Run, 400: ErrorBody, 404: ErrorBody, 503: ErrorBody.describe('Temporal cannot answer now; retry') },
    },
  }, async (request) => runOf(request.params.month));

  /** The month's workflow, or a 404 when it has none. */
  const existingRun = async (month: Month) => {
    const handle = client.workflow.getHandle(salesPointsRunWorkflowId(month));
    try {
      await handle.describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound(`the sales points run of ${month}`);
      throw err;
    }
    return handle;
  };
  const refused = { 400: ErrorBody, 404: ErrorBody, 409: ErrorBody.describe('refused: the reason says why'), 503: ErrorBody };

  app.post('/sales-points/runs/:month/approve', {
    config: { roles: ['finance'] },
    schema: {
      tags: ['sales-points'],
      summary: 'Approve the month: it is closed and never changes again (answers once closed); 409 before it is reconciled or once approved',
      params: MonthParams,
      response: { 200: Run, ...refused },
    },
  }, async (request) => {
    const { month } = request.params;
    const handle = await existingRun(month);
    try {
      return fromView(month, 'RUNNING', await client.connection.withDeadline(Date.now() + UPDATE_WAIT_MS,
        () => handle.executeUpdate(approveSalesPointsUpdate, { args: [{ by: request.actor! }] })));
    } catch (err) {
      throw refusalOf(err, `the sales points run of ${month}`);
    }
  });

  app.post('/sales-points/runs/:month/recompute', {
    config: { roles: ['finance'] },
    schema: {
      tags: ['sales-points'],
      summary: "Import billing's list and reconcile again (a corrected file uploaded): 202 once the run has taken the request; GET the run to see the pass through; 409 once approved",
      description: 'Answers as soon as the run has accepted the request, not when the pass is done: a pass imports from the BSS, which may be away for hours.',
      params: MonthParams,
      response: { 202: Run, ...refused },
    },
  }, async (request, reply) => {
    const { month } = request.params;
    const handle = await existingRun(month);
    try {
      await client.connection.withDeadline(Date.now() + UPDATE_WAIT_MS,
        () => handle.startUpdate(recomputeSalesPointsUpdate, { args: [{ by: request.actor! }], waitForStage: WorkflowUpdateStage.ACCEPTED }));
    } catch (err) {
      throw refusalOf(err, `the sales points run of ${month}`);
    }
    return reply.status(202).send(await runOf(month));
  });
};
