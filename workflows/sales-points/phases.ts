import { ActivityFailure, ApplicationFailure, condition, getExternalWorkflowHandle, log, patched } from '@temporalio/workflow';
import { addMonths } from '../../domain/sales-points/month';
import { approvalEscalation, describeTotals } from '../../domain/sales-points/run';
import { alerts, billing, reconciliation, runs } from './activities';
import { earlierMonthReconciledSignal, salesPointsRunWorkflowId } from './messages';
import type { SalesPointsRun } from './run-state';

/**
 * One pass: the month's billing import (the latest one, when a person uploaded it; else a fresh
 * export from the BSS), then the reconciliation. Again while a recompute asked during the pass waits.
 * A later pass that fails for good leaves the run with the figures of the pass before.
 */
export async function computeTotals(run: SalesPointsRun): Promise<void> {
  do {
    run.computationsStarted++;
    const pass = run.computationsStarted;
    if (pass > 1 && patched('sales-points-keep-run-on-failed-pass')) await passKeepingTheLast(run, pass);
    else await onePass(run, pass);
    run.computationsFinished++;
  } while (run.recomputePending);
  if (patched('sales-points-tell-next-month')) await tellNextMonth(run);
  run.phase = 'awaiting-approval';
  run.waitingSince ??= new Date().toISOString();
  run.show();
}

async function onePass(run: SalesPointsRun, pass: number): Promise<void> {
  run.phase = 'importing';
  run.show();
  // The settings are read at the first pass: an escalation time changed later applies to the next month's run.
  const settings = await runs.beginSalesPointsRun(run.month);
  run.escalateAfterSeconds ||= settings.escalateAfterSeconds;
  // A pass the earlier month's news asked for reconciles the same list: nobody asked for a new one.
  if (run.importId === null || run.reimportWanted >= pass) {
    const uploaded = await runs.findUploadedImport(run.month);
    if (uploaded) {
      Object.assign(run, { importId: uploaded.importId, importRows: uploaded.rows, importSource: 'upload' });
    } else {
      const exported = await billing.importBillingFromBss(run.month);
      Object.assign(run, { importId: exported.importId, importRows: exported.rows, importSource: 'bss-export' });
    }
  }
  run.phase = 'reconciling';
  run.show();
  run.totals = await reconciliation.reconcileSalesMonth(run.month, run.importId!);
  run.lastPassError = null;
}

/** A recompute's pass; refused for good (a bad file, a month that cannot run again), the run keeps the figures it had. */
async function passKeepingTheLast(run: SalesPointsRun, pass: number): Promise<void> {
  const before = { importId: run.importId, importRows: run.importRows, importSource: run.importSource };
  try {
    await onePass(run, pass);
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    if (!(cause instanceof ApplicationFailure) || !cause.nonRetryable) throw err;
    Object.assign(run, before, { lastPassError: cause.message });
    log.warn('a recompute pass failed for good: the figures of the pass before stay', { month: run.month, error: cause.message });
    await runs.resumeReconciledRun(run.month);
  }
}

/**
 * Before finance's approval is taken: an earlier month reconciled after this month's last pass
 * (its news lost, or not arrived yet) makes the figures stale. The approval is refused and a pass
 * is due; finance approves once it is done.
 */
export async function refuseIfStale(run: SalesPointsRun): Promise<void> {
  if (!patched('sales-points-stale-check')) return;
  const { because } = await runs.salesPointsRunStaleness(run.month);
  if (!because) return;
  run.earlierMonthReconciled(because);
  throw ApplicationFailure.create({
    type: 'MonthStale', nonRetryable: true,
    message: `sales points ${run.month} is being reconciled again: ${because} was reconciled after it; approve once it waits for approval again`,
  });
}

/**
 * Waits for finance: returns once approved or a recompute is asked. Nobody approving within the
 * settings' time raises an alert, then one a day (domain/sales-points/run.ts), each delivered to
 * finance's address; the wait goes on.
 */
export async function awaitDecision(run: SalesPointsRun): Promise<void> {
  for (;;) {
    const { level, dueAfterSeconds } = approvalEscalation(run.escalations, run.escalateAfterSeconds);
    const dueInMs = Date.parse(run.waitingSince!) + dueAfterSeconds * 1000 - Date.now();
    const decided = dueInMs > 0 && await condition(() => run.approvedBy !== null || run.recomputePending, dueInMs);
    if (decided || run.approvedBy !== null || run.recomputePending) return;
    await escalate(run, level);
  }
}

async function escalate(run: SalesPointsRun, level: string): Promise<void> {
  const hours = Math.round((Date.now() - Date.parse(run.waitingSince!)) / 3_600_000);
  const message = `Sales points ${run.month} has waited ${hours} h for finance's approval (since ${run.waitingSince})`
    + `${run.totals ? `: ${describeTotals(run.totals)}` : ''}. Approve it: POST /sales-points/runs/${run.month}/approve.`;
  const { alertId } = await runs.escalateSalesPointsRun({ month: run.month, level, message });
  run.escalations++;
  run.escalatedAt ??= new Date().toISOString();
  run.show();
  // Even when it was raised before (the activity retried after its commit): delivering a delivered alert does nothing.
  try {
    await alerts.deliverAlert(alertId);
  } catch (err) {
    // Recorded on the alert; the budget watch's pass over undelivered alerts tries it again.
    log.warn('approval alert not delivered', { month: run.month, alertId, error: (err as Error).message });
  }
}

/**
 * The next month's run reads this month's awaiting-usage sales and credits: told that they may have
 * changed, it reconciles again (and tells the month after it). No run for it yet, or one closed: nothing to tell.
 */
async function tellNextMonth(run: SalesPointsRun): Promise<void> {
  const next = addMonths(run.month, 1);
  try {
    await getExternalWorkflowHandle(salesPointsRunWorkflowId(next)).signal(earlierMonthReconciledSignal, { month: run.month });
  } catch (err) {
    log.info('no open run of the next month to tell', { month: run.month, next, error: (err as Error).message });
  }
}
