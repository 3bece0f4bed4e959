import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { OrderFacts, OrderWorkflowInput } from '../activities/orders';
import { followUpCallId } from '../domain/ids';
import {
  cancelRefusal,
  deliveryDecision,
  deliveryRetryRefusal,
  deliveryStep,
  type DeliveryDecision,
  type DeliveryOutcome,
  type DeliveryStep,
  type FailedDelivery,
  type OrderStage,
  type OrderStatus,
} from '../domain/order';
import { OrderPolicySchema } from '../domain/campaign';
import { DeliveryAttemptsKey, EscalatedKey, OrderStatusKey } from './search-attributes';
import { data, telephony } from './activity-proxies';

// ---- Messages ----------------------------------------------------------------------------------

/** What the courier reported for one booking (passed on by the API's courier webhook). */
export interface DeliveryReport {
  deliveryId: string;
  outcome: DeliveryOutcome;
  at: string;
  amountCollected?: number;
}

export interface RetryDeliveryRequest {
  /** A new address, when the scheduler corrected it. */
  address?: string;
  /** The slot agreed with the customer (ISO time); the courier's next slot otherwise. */
  slot?: string;
}

export interface OrderView {
  orderId: string;
  campaignId: string;
  status: OrderStatus;
  stage: OrderStage;
  /** In words: what the order waits for now, and since when. */
  waitingFor: string;
  since: string;
  deliveryAttempts: number;
  lastDeliveryOutcome?: DeliveryOutcome;
  activationId?: string;
  followUp?: OrderFacts['followUp'];
  /** Held past its SLA without a scheduler's decision. */
  escalated: boolean;
}

/** The patch that replaced "retry once, then hold" with the per-reason delivery policy and the hold SLA. */
export const DELIVERY_POLICY_PATCH = 'delivery-policy-per-reason';

export const deliveryReportSignal = defineSignal<[DeliveryReport]>('deliveryReport');
export const orderQuery = defineQuery<OrderView>('order');
export const retryDeliveryUpdate = defineUpdate<OrderView, [RetryDeliveryRequest]>('retryDelivery');
export const cancelOrderUpdate = defineUpdate<OrderView, [{ reason: string }]>('cancel');

// ---- Activities --------------------------------------------------------------------------------

const courier = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2s', maximumInterval: '5 minutes' },
});
// BSS faults (errors, timeouts) are retried with backoff for a good while; a refusal is not retried.
const billing = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 30, nonRetryableErrorTypes: ['ActivationRefused'] },
  summary: 'activate the service in the BSS (idempotency key: order id)',
});

export async function orderWorkflow(input: OrderWorkflowInput): Promise<OrderView> {
  const { orderId } = input;
  // Orders started before a policy field existed get its default.
  const policy = OrderPolicySchema.parse(input.policy);
  const s = {
    status: 'acknowledged' as OrderStatus,
    stage: 'delivery' as OrderStage,
    waitingFor: 'start',
    since: new Date().toISOString(),
    deliveryAttempts: 0,
    booked: 0, // the last attempt the courier confirmed
    lastDeliveryOutcome: undefined as DeliveryOutcome | undefined,
    activationId: undefined as string | undefined,
    followUp: undefined as OrderFacts['followUp'],
    escalated: false,
    events: 1, // 'acknowledged' was recorded by the starter
  };
  const reports = new Map<string, DeliveryReport>();
  let cancelRequest: { reason: string } | undefined;
  let schedulerRetry: RetryDeliveryRequest | undefined;

  const view = (): OrderView => ({
    orderId, campaignId: input.campaignId, status: s.status, stage: s.stage, waitingFor: s.waitingFor,
    since: s.since, deliveryAttempts: s.deliveryAttempts, lastDeliveryOutcome: s.lastDeliveryOutcome,
    activationId: s.activationId, followUp: s.followUp, escalated: s.escalated,
  });
  const showDetails = () =>
    setCurrentDetails(
      `**${s.status}**${s.escalated ? ' · **escalated**: no scheduler decision within the SLA' : ''} · ${s.stage}\n\n` +
        `Waiting for: ${s.waitingFor} (since ${s.since}).\n\nDelivery attempts: ${s.deliveryAttempts}` +
        `${s.lastDeliveryOutcome ? `, last: ${s.lastDeliveryOutcome}` : ''}.`,
    );
  const wait = (what: string) => {
    s.waitingFor = what;
    s.since = new Date().toISOString();
    showDetails();
  };
  // Callers set what the order waits for *before* moveTo, so a query between the status change and
  // its recording never shows a new status with an old reason to wait.
  const moveTo = async (status: OrderStatus, stage: OrderStage, reason: string, facts?: OrderFacts) => {
    const statusChanged = status !== s.status;
    s.status = status;
    s.stage = stage;
    showDetails();
    if (statusChanged) upsertSearchAttributes([{ key: OrderStatusKey, value: status }]);
    s.events++;
    await data.recordOrderEvent({
      orderId, status, stage, reason, eventKey: `${s.events}-${status}-${stage}`,
      deliveryAttempts: s.deliveryAttempts, facts,
    });
  };

  setHandler(orderQuery, view);
  setHandler(deliveryReportSignal, (report) => {
    // The courier may repeat itself; the first report of a booking counts.
    if (!reports.has(report.deliveryId)) reports.set(report.deliveryId, report);
  });
  setHandler(
    cancelOrderUpdate,
    async (req) => {
      cancelRequest = req;
      await condition(() => s.status === 'cancelled' || s.stage !== 'delivery');
      // A delivery report can land in the same moment as the cancel; delivery wins.
      if (s.status !== 'cancelled') throw ApplicationFailure.create({ message: 'order was delivered before the cancel took effect', type: 'TooLate' });
      return view();
    },
    { validator: (_req) => { const why = cancelRefusal(s.status, s.stage) ?? (cancelRequest ? 'a cancel is already under way' : undefined); if (why) throw new Error(why); } },
  );
  setHandler(
    retryDeliveryUpdate,
    async (req) => {
      schedulerRetry = req;
      // Answer once the new booking is made, so the scheduler sees the new attempt.
      const attempt = s.deliveryAttempts + 1;
      await condition(() => s.booked >= attempt || s.status === 'cancelled');
      return view();
    },
    {
      validator: (req) => {
        const why = deliveryRetryRefusal(s.status, s.stage) ?? (schedulerRetry ? 'a retry is already being booked' : undefined);
        if (why) throw new Error(why);
        if (req.slot !== undefined && Number.isNaN(Date.parse(req.slot))) throw new Error('slot: not an ISO date-time');
      },
    },
  );

  const cancel = async (bookingId?: string): Promise<OrderView> => {
    if (bookingId) await courier.cancelDelivery({ deliveryId: bookingId });
    wait('nothing (cancelled)');
    await moveTo('cancelled', 'done', `cancelled: ${cancelRequest?.reason ?? 'no reason given'}`);
    await condition(allHandlersFinished);
    return view();
  };

  // ---- Delivery: book, wait for the courier, retry by the policy for the reason, then a person --
  await moveTo('inProgress', 'delivery', 'booking the delivery');
  const perReason = patched(DELIVERY_POLICY_PATCH);
  /** Automatic retries per failure reason since a person last decided. */
  let retries: Partial<Record<FailedDelivery, number>> = {};
  let next: RetryDeliveryRequest = {};
  for (;;) {
    if (cancelRequest) return cancel();
    s.deliveryAttempts++;
    const booking = await courier.bookDelivery({ orderId, attempt: s.deliveryAttempts, ...next });
    s.booked = s.deliveryAttempts;
    if (perReason) upsertSearchAttributes([{ key: DeliveryAttemptsKey, value: s.deliveryAttempts }]);
    wait(`the courier's outcome for booking ${booking.deliveryId} (slot ${booking.slot})`);
    await condition(() => reports.has(booking.deliveryId) || cancelRequest !== undefined);
    const report = reports.get(booking.deliveryId);
    if (!report) return cancel(booking.deliveryId);
    s.lastDeliveryOutcome = report.outcome;
    const step = perReason
      ? deliveryStep(report.outcome, report.outcome === 'delivered' ? 0 : retries[report.outcome] ?? 0, policy.delivery, policy.deliveryRetryDelaySeconds)
      : legacyStep(deliveryDecision(report.outcome, s.deliveryAttempts), policy.deliveryRetryDelaySeconds);
    if (step.kind === 'proceed') {
      await moveTo('inProgress', 'activation', `delivered (attempt ${s.deliveryAttempts})`, { deliveredAt: report.at });
      break;
    }
    const failed = report.outcome as FailedDelivery;
    if (step.kind === 'retry') {
      retries[failed] = (retries[failed] ?? 0) + 1;
      wait(`the automatic retry in ${step.delaySeconds}s`);
      await moveTo('inProgress', 'delivery', `delivery failed (${failed}); automatic retry`);
      await condition(() => cancelRequest !== undefined, step.delaySeconds * 1000);
      next = {};
      continue;
    }
    if (step.kind === 'cancel') {
      cancelRequest = { reason: `delivery ${failed}: the policy cancels the order` };
      return cancel();
    }
    schedulerRetry = undefined;
    wait("a scheduler's decision (retry or cancel)");
    await moveTo('held', 'delivery', `delivery failed (${failed}) after ${s.deliveryAttempts} attempts; held for a scheduler`);
    const decided = () => schedulerRetry !== undefined || cancelRequest !== undefined;
    if (perReason) {
      // The hold's SLA: escalated when nobody decides in time, cancelled past the second limit.
      const { escalateAfterSeconds, cancelAfterSeconds } = policy.holdSla;
      if (!(await condition(decided, escalateAfterSeconds * 1000))) {
        s.escalated = true;
        upsertSearchAttributes([{ key: EscalatedKey, value: true }]);
        wait(`a scheduler's decision, escalated after ${escalateAfterSeconds}s without one`);
        await moveTo('held', 'delivery', `no scheduler decision within ${escalateAfterSeconds}s: escalated`, { escalated: true });
        if (!(await condition(decided, (cancelAfterSeconds - escalateAfterSeconds) * 1000))) {
          cancelRequest = { reason: `no scheduler decision within ${cancelAfterSeconds}s of the hold` };
        }
      }
    } else {
      await condition(decided);
    }
    if (cancelRequest) return cancel();
    next = schedulerRetry ?? {};
    retries = {};
    const wasEscalated = s.escalated;
    if (wasEscalated) {
      s.escalated = false;
      upsertSearchAttributes([{ key: EscalatedKey, value: false }]);
    }
    await moveTo('inProgress', 'delivery', `scheduler asked for another delivery${next.address ? ' to a new address' : ''}`,
      wasEscalated ? { escalated: false } : undefined);
  }

  // ---- Activation: exactly once in the BSS, keyed by the order id ------------------------------
  wait('the BSS to activate the service');
  try {
    const activation = await billing.activateService({ orderId, serviceCode: input.offer.code });
    s.activationId = activation.activationId;
    await moveTo('completed', 'followUp', 'activated in the BSS', {
      activatedAt: activation.activatedAt, activationRef: activation.activationId,
    });
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    const why = cause instanceof ApplicationFailure && cause.type === 'ActivationRefused'
      ? `the BSS refused the activation: ${cause.message}`
      : `activation failed after retries: ${(cause as Error)?.message ?? String(cause)}`;
    wait('nothing (failed)');
    await moveTo('failed', 'done', why);
    return view();
  }

  // ---- Follow-up: a durable timer, then an after-sales call ------------------------------------
  wait(`the follow-up call, due in ${policy.followUpDelaySeconds}s`);
  await sleep(policy.followUpDelaySeconds * 1000);
  s.followUp = { result: 'unreached' };
  for (let attempt = 1; attempt <= policy.followUpMaxAttempts; attempt++) {
    wait(`follow-up call attempt ${attempt}`);
    try {
      const outcome = await telephony.placeCall({
        callId: followUpCallId(orderId, attempt), purpose: 'followup', campaignId: input.campaignId, orderId, attemptNo: attempt,
      });
      if (outcome.connected) {
        s.followUp = { result: 'reached', satisfaction: outcome.satisfaction, complaint: outcome.complaint ?? false };
        break;
      }
    } catch {
      // the dialer could not place it: counts as an unreached attempt
    }
    if (attempt < policy.followUpMaxAttempts) await sleep(policy.followUpRetryDelaySeconds * 1000);
  }
  const said = s.followUp.result === 'reached'
    ? `follow-up: satisfaction ${s.followUp.satisfaction ?? '-'}/5${s.followUp.complaint ? ', complaint recorded' : ''}`
    : `follow-up: customer not reached in ${policy.followUpMaxAttempts} attempts`;
  wait('nothing (done)');
  await moveTo('completed', 'done', said, { followUp: s.followUp });
  await condition(allHandlersFinished);
  return view();
}

/** The first version's verdicts in the per-reason policy's terms (orders started before the patch). */
function legacyStep(decision: DeliveryDecision, retryDelaySeconds: number): DeliveryStep {
  return decision === 'proceed' ? { kind: 'proceed' } : decision === 'hold' ? { kind: 'hold' } : { kind: 'retry', delaySeconds: retryDelaySeconds };
}
