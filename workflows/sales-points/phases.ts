import { condition, getExternalWorkflowHandle, log, patched } from '@temporalio/workflow';
import { addMonths } from '../../domain/sales-points/month';
import { approvalEscalation, describeTotals } from '../../domain/sales-points/run';
import { alerts, billing, reconciliation, runs } from './activities';
import { earlierMonthReconciledSignal, salesPointsRunWorkflowId } from './messages';
import type { SalesPointsRun } from './run-state';

/**
 * One pass: the month's billing import (the latest one, when a person uploaded it; else a fresh
 * export from the BSS), then the reconciliation. Again while a recompute asked during the pass waits.
 */
export async function computeTotals(run: SalesPointsRun): Promise<void> {
  do {
    run.computationsStarted++;
    run.phase = 'importing';
    run.show();
    // The settings are read at the first pass: an escalation time changed later applies to the next month's run.
    const settings = await runs.beginSalesPointsRun(run.month);
    run.escalateAfterSeconds ||= settings.escalateAfterSeconds;
    const uploaded = await runs.findUploadedImport(run.month);
    if (uploaded) {
      Object.assign(run, { importId: uploaded.importId, importRows: uploaded.rows, importSource: 'upload' });
    } else {
      const exported = await billing.importBillingFromBss(run.month);
      Object.assign(run, { importId: exported.importId, importRows: exported.rows, importSource: 'bss-export' });
    }
    run.phase = 'reconciling';
    run.show();
    run.totals = await reconciliation.reconcileSalesMonth(run.month, run.importId!);
    run.computationsFinished++;
  } while (run.recomputePending);
  if (patched('sales-points-tell-next-month')) await tellNextMonth(run);
  run.phase = 'awaiting-approval';
  run.waitingSince ??= new Date().toISOString();
  run.show();
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
