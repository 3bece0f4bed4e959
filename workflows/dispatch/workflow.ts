import {
  allHandlersFinished,
  condition,
  makeContinueAsNewFunc,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { OrderRetryResult } from '../../activities/dispatch/retry-jobs';
import { describeHeldFilter } from '../../domain/dispatch/held-deliveries';
import { describeActor, type Actor } from '../../domain/access/roles';
import { batches, scope } from './activities';
import {
  cancelDeliveryRetryUpdate,
  deliveryRetryProgressQuery,
  type CarriedJob,
  type DeliveryRetryJobInput,
  type DeliveryRetryProgress,
  type DeliveryRetryJobStatus,
} from './messages';

export const DEFAULT_BATCH_SIZE = 20;
/** Hand over to a new run past this many history events (a batch costs about six). */
export const DEFAULT_JOB_HISTORY_LIMIT = 3_000;
const LAST_ERRORS = 20;

export async function deliveryRetryJobWorkflow(input: DeliveryRetryJobInput): Promise<DeliveryRetryProgress> {
  const { jobId, filter, slot } = input;
  const carried = input.carried;
  const batchSize = input.batchSize ?? DEFAULT_BATCH_SIZE;
  const historyLimit = input.historyLimit ?? DEFAULT_JOB_HISTORY_LIMIT;
  const s = {
    status: 'running' as DeliveryRetryJobStatus,
    startedAt: carried?.startedAt ?? new Date().toISOString(),
    total: carried?.total ?? 0,
    accepted: carried?.accepted ?? 0,
    refused: carried?.refused ?? 0,
    failed: carried?.failed ?? 0,
    run: carried?.run ?? 0,
    snapshotTaken: carried !== undefined,
    cancelRequested: false,
    cancelledBy: undefined as Actor | undefined,
  };
  const lastErrors = [...(carried?.lastErrors ?? [])];
  let remaining = carried?.remaining ?? [];
  const done = () => s.accepted + s.refused + s.failed;

  const progress = (): DeliveryRetryProgress => ({
    jobId, status: s.status, total: s.total, done: done(), accepted: s.accepted, refused: s.refused, failed: s.failed,
    startedAt: s.startedAt, filter, ...(slot ? { slot } : {}), lastErrors: [...lastErrors], run: s.run,
  });
  const showDetails = () => {
    const counts = `${s.accepted} accepted, ${s.refused} refused${s.failed ? `, ${s.failed} failed` : ''}`;
    const state = !s.snapshotTaken
      ? 'listing the held orders'
      : `retried ${done()} of ${s.total} held orders (${counts})`;
    const last = lastErrors.at(-1);
    setCurrentDetails(
      `**${s.status}**${s.cancelRequested && s.status === 'running' ? ' (cancelling after this batch)' : ''} · ${state}\n\n` +
        `Scope: ${describeHeldFilter(filter)}, at most ${input.limit}; new slot: ${slot ?? "the courier's next"}.` +
        `${input.requestedBy ? ` Requested by ${describeActor(input.requestedBy)}.` : ''}${s.cancelledBy ? ` Cancel asked by ${describeActor(s.cancelledBy)}.` : ''}` +
        `${last ? `\n\nLast refusal: ${last.orderId}: ${last.reason}` : ''}\n\nStarted ${s.startedAt}. Run ${s.run + 1}.`,
    );
  };

  setHandler(deliveryRetryProgressQuery, progress);
  setHandler(cancelDeliveryRetryUpdate, async (req) => {
    s.cancelRequested = true;
    s.cancelledBy = req?.by; // undefined from callers before `by`
    showDetails();
    await condition(() => s.status !== 'running');
    return progress();
  }, {
    validator: (_req) => {
      if (s.status !== 'running') throw new Error(`job is already ${s.status}`);
    },
  });

  const record = (results: OrderRetryResult[]) => {
    for (const r of results) {
      if (r.result === 'accepted') {
        s.accepted++;
        continue;
      }
      if (r.result === 'refused') s.refused++;
      else s.failed++;
      lastErrors.push({ orderId: r.orderId, reason: r.reason });
      if (lastErrors.length > LAST_ERRORS) lastErrors.splice(0, lastErrors.length - LAST_ERRORS);
    }
  };

  showDetails();
  if (!carried) {
    // The scope is fixed now: orders held later are for another job, and the work queue's order is kept.
    const { orderIds } = await scope.snapshotHeldOrders({ filter, limit: input.limit });
    remaining = orderIds;
    s.total = orderIds.length;
    s.snapshotTaken = true;
    showDetails();
  }

  const handOverDue = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyLimit;
  while (remaining.length && !s.cancelRequested) {
    if (handOverDue()) {
      // A cancel arriving now ends the job here rather than in the next run.
      await condition(() => allHandlersFinished() || s.cancelRequested);
      if (s.cancelRequested) break;
      const next: CarriedJob = {
        startedAt: s.startedAt, total: s.total, accepted: s.accepted, refused: s.refused, failed: s.failed,
        lastErrors, remaining, run: s.run + 1,
      };
      const continueAsNew = makeContinueAsNewFunc<typeof deliveryRetryJobWorkflow>({ memo: workflowInfo().memo });
      return continueAsNew({ ...input, carried: next });
    }
    const batch = remaining.slice(0, batchSize);
    const { results } = await batches.retryHeldDeliveries({
      jobId, orderIds: batch, ...(slot ? { slot } : {}), ...(input.requestedBy ? { by: input.requestedBy } : {}),
      ...(input.bookingWaitSeconds !== undefined ? { bookingWaitSeconds: input.bookingWaitSeconds } : {}),
    });
    record(results);
    remaining = remaining.slice(batch.length);
    showDetails();
  }

  s.status = remaining.length ? 'cancelled' : 'completed';
  showDetails();
  await condition(allHandlersFinished);
  return progress();
}
