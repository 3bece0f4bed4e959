import { condition, setCurrentDetails } from '@temporalio/workflow';
import { describeActor, type Actor } from '../../domain/access/roles';
import type { Month } from '../../domain/sales-points/month';
import type { RunTotals } from '../../domain/sales-points/reconciliation';
import { describeTotals } from '../../domain/sales-points/run';
import type { RunPhase, SalesPointsRunView } from './messages';

/** A person in the message, checked before it touches the state (the API always sends one). */
function checkActor(by: Actor | undefined): void {
  if (!by || typeof by.sub !== 'string' || !by.sub || typeof by.role !== 'string') throw new Error('the request names nobody (by: { sub, role })');
}

/** A month's run: where it is, what it found, who asked what; the handlers' plain methods. */
export class SalesPointsRun {
  phase: RunPhase = 'importing';
  importId: number | null = null;
  importRows: number | null = null;
  importSource: 'upload' | 'bss-export' | null = null;
  totals: RunTotals | null = null;
  waitingSince: string | null = null;
  escalatedAt: string | null = null;
  escalations = 0;
  escalateAfterSeconds = 0;
  approvedBy: Actor | null = null;
  approvedAt: string | null = null;
  /** Import-and-reconcile passes started and finished; a recompute waits for the next one to finish. */
  computationsStarted = 0;
  computationsFinished = 0;
  /** The pass a recompute asked for: the first one to start after the request. */
  recomputeWanted = 0;
  /** Why the next pass is due, when the earlier month's run asked for it (finance's recompute says nothing). */
  recomputeCause: string | null = null;
  /** The pass finance's recompute asked for: it imports billing's list again (the earlier month's news reuses the import). */
  reimportWanted = 0;
  /** Why the last pass failed for good, when it did: the figures are the pass's before. */
  lastPassError: string | null = null;

  constructor(readonly month: Month, readonly startedAt: string) {}

  get recomputePending(): boolean {
    return this.recomputeWanted > this.computationsStarted;
  }

  view(): SalesPointsRunView {
    return {
      month: this.month, phase: this.phase, importId: this.importId, importRows: this.importRows, importSource: this.importSource,
      totals: this.totals, startedAt: this.startedAt, waitingSince: this.waitingSince, escalatedAt: this.escalatedAt,
      escalations: this.escalations, recomputes: Math.max(0, this.computationsStarted - 1), approvedBy: this.approvedBy, approvedAt: this.approvedAt,
      lastPassError: this.lastPassError,
    };
  }

  checkApproval(req: { by: Actor }): void {
    checkActor(req?.by);
    if (this.approvedBy) throw new Error(`sales points ${this.month} was already approved by ${describeActor(this.approvedBy)}`);
    if (this.phase !== 'awaiting-approval' || this.recomputePending) {
      throw new Error(`sales points ${this.month} is not reconciled yet (${this.recomputePending ? 'a recompute is due' : this.phase}); approve once it waits for approval`);
    }
  }

  async approve(by: Actor): Promise<SalesPointsRunView> {
    this.approvedBy = by;
    this.approvedAt = new Date().toISOString();
    this.show();
    await condition(() => this.phase === 'closed');
    return this.view();
  }

  checkRecompute(req: { by: Actor }): void {
    checkActor(req?.by);
    if (this.approvedBy) throw new Error(`sales points ${this.month} was approved by ${describeActor(this.approvedBy)}: a closed month never changes`);
  }

  async recompute(_by: Actor): Promise<SalesPointsRunView> {
    const pass = this.computationsStarted + 1;
    this.recomputeWanted = Math.max(this.recomputeWanted, pass);
    this.reimportWanted = Math.max(this.reimportWanted, pass);
    this.recomputeCause = null;
    this.show();
    await condition(() => this.computationsFinished >= pass);
    return this.view();
  }

  /** The month before was reconciled (again): one more pass, unless this month is approved (closing or closed). */
  earlierMonthReconciled(month: Month): void {
    if (this.approvedBy) return;
    this.recomputeWanted = Math.max(this.recomputeWanted, this.computationsStarted + 1);
    this.recomputeCause = `${month} was reconciled again`;
    this.show();
  }

  /** What the UI shows while it runs: what it does or waits for, and the month's totals. */
  show(): void {
    const totals = this.totals ? ` — ${describeTotals(this.totals)}` : '';
    const source = this.importId !== null ? `\n\nBilling import ${this.importId} (${this.importSource}, ${this.importRows} rows).` : '';
    const failed = this.lastPassError ? `\n\nThe last pass failed, the figures are the pass's before: ${this.lastPassError}` : '';
    const escalated = this.escalatedAt ? `\n\nEscalated ${this.escalatedAt} (${this.escalations} alert${this.escalations === 1 ? '' : 's'}).` : '';
    const now: Record<RunPhase, string> = {
      importing: "importing billing's list of the month",
      reconciling: "matching the month's sales against billing's list",
      'awaiting-approval': this.recomputePending
        ? `recompute asked${this.recomputeCause ? ` (${this.recomputeCause})` : ''}: importing and reconciling again`
        : `waiting for finance's approval since ${this.waitingSince}${totals}`,
      closing: `approved by ${describeActor(this.approvedBy ?? undefined)}: closing the month${totals}`,
      closed: `closed: approved by ${describeActor(this.approvedBy ?? undefined)} at ${this.approvedAt}${totals}`,
    };
    setCurrentDetails(`**${this.month}** · ${now[this.phase]}${source}${failed}${escalated}`);
  }
}
