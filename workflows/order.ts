import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  CLOSE_ANSWERS_PATCH,
  DELIVERY_POLICY_PATCH,
  LOGISTICS_PATCH,
  REVIEW_FIXES_PATCH,
  SCHEDULER_REFUSAL_PATCH,
  cancelOrderUpdate,
  deliveryReportSignal,
  orderQuery,
  reassignDeliveryUpdate,
  rescheduleDeliveryUpdate,
  retryDeliveryUpdate,
  stockArrivedSignal,
  type DeliveryReport,
  type OrderFacts,
  type OrderView,
  type OrderWorkflowInput,
  type RetryDeliveryRequest,
} from './order/messages';
import { deliveryIdFor, followUpCallId } from '../domain/ids';
import {
  cancelRefusal,
  deliveryDecision,
  deliveryChangeRefusal,
  deliveryRetryRefusal,
  slotRefusal,
  type DeliveryDecision,
  type DeliveryOutcome,
  type DeliveryStep,
  type FailedDelivery,
  type OrderStage,
  type OrderStatus,
} from '../domain/order';
import { deliveryStep, withOfferDefaults, withPolicyDefaults } from '../domain/order-policy';
import type { Offer } from '../domain/campaign';
import { DeliveryAttemptsKey, EscalatedKey, OrderStatusKey } from './search-attributes';
import { data } from './activity-proxies';

/** A reschedule or reassignment waiting to be carried out, and why it could not be, once known. */
interface BookingChange {
  change: RetryDeliveryRequest;
  refused?: string;
}

/** While out of stock, how often the order looks again without being told that stock arrived. */
const STOCK_RECHECK_MS = 10 * 60_000;
const STOCK_RECHECK_MAX_MS = 6 * 3_600_000;
/** A booking the courier finished before our cancel reached it: how long to wait for its report. */
const LATE_REPORT_MS = 5 * 60_000;

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
// Compensation: undoing is retried until it is done (each step is idempotent), whatever the outage.
const undoInBss = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: ['DeactivationRefused'] },
  summary: 'compensation: deactivate the service in the BSS',
});
// A follow-up call: the dialer rings and the survey takes a few minutes. A call whose attempt was
// lost with a crashed worker is placed again once this has passed (the call id keeps it one call).
const followUpCalls = proxyActivities<Activities>({
  startToCloseTimeout: '6 minutes',
  retry: { initialInterval: '2s', maximumInterval: '1 minute', maximumAttempts: 6 },
});
const returns = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2s', maximumInterval: '5 minutes' },
  summary: 'compensation: book the return pickup with the courier',
});

export async function orderWorkflow(input: OrderWorkflowInput): Promise<OrderView> {
  const { orderId } = input;
  // Orders started before a policy field existed get its default.
  const policy = withPolicyDefaults(input.policy);
  const logistics = patched(LOGISTICS_PATCH);
  // What it ships and collects: an offer from before those fields gets their defaults.
  const offer: Offer | undefined = logistics ? withOfferDefaults(input.offer) : undefined;
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
    holdReason: undefined as OrderView['holdReason'],
    warehouse: undefined as string | undefined,
    courier: undefined as string | null | undefined,
    delivered: false,
    collected: 0,
    compensation: [] as string[],
    stockChecks: 0,
    followOnOrderId: undefined as string | undefined,
  };
  let stockArrived = false;
  const reports = new Map<string, DeliveryReport>();
  let cancelRequest: { reason: string } | undefined;
  let schedulerRetry: RetryDeliveryRequest | undefined;
  /** A reschedule or reassignment of the booking under way, and why one could not be done. */
  let rebook: BookingChange | undefined;
  /** The booking whose outcome the order waits for now. */
  let openBooking: string | undefined;
  /** Attempts the courier refused for good, with what it said: the scheduler who asked for one is told. */
  const refusals = new Map<number, string>();
  /** The next booking is one a scheduler asked for (a refusal holds the order again instead of failing it). */
  let schedulerAsked = false;
  /** Closed: updates still waiting get their answer. */
  let ended = false;

  const view = (): OrderView => ({
    orderId, campaignId: input.campaignId, status: s.status, stage: s.stage, waitingFor: s.waitingFor,
    since: s.since, deliveryAttempts: s.deliveryAttempts, lastDeliveryOutcome: s.lastDeliveryOutcome,
    activationId: s.activationId, followUp: s.followUp, escalated: s.escalated,
    ...(logistics ? {
      holdReason: s.holdReason, courier: s.courier, collected: s.collected, compensation: s.compensation,
      ...(s.warehouse ? { warehouse: s.warehouse } : {}), ...(s.followOnOrderId ? { followOnOrderId: s.followOnOrderId } : {}),
    } : {}),
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
    if (status !== 'held') s.holdReason = undefined;
    s.status = status;
    s.stage = stage;
    showDetails();
    if (statusChanged) upsertSearchAttributes([{ key: OrderStatusKey, value: status }]);
    s.events++;
    await data.recordOrderEvent({
      orderId, status, stage, reason, eventKey: `${s.events}-${status}-${stage}`,
      deliveryAttempts: s.deliveryAttempts, facts: logistics && status === 'held' ? { holdReason: s.holdReason ?? 'delivery-failed', ...facts } : facts,
    });
  };
  /** A compensation step: in the state history (same status), the details and the query. */
  const compensated = async (step: string) => {
    s.compensation.push(step);
    await moveTo(s.status, s.stage, `compensation: ${step}`);
  };

  /** The answer to an update waiting for booking `attempt`: refused by the courier, or the order closed first. */
  const bookingAnswer = (attempt: number): OrderView => {
    const refused = refusals.get(attempt);
    if (refused !== undefined) throw ApplicationFailure.create({ message: `${refused}; the order is held for a scheduler's decision`, type: 'BookingRefused' });
    if (ended && s.booked < attempt && s.status !== 'cancelled') {
      throw ApplicationFailure.create({ message: `order ${s.status} before the new booking was made`, type: 'OrderClosed' });
    }
    return view();
  };

  setHandler(orderQuery, view);
  setHandler(deliveryReportSignal, (report) => {
    // The courier may repeat itself; the first report of a booking counts.
    if (!reports.has(report.deliveryId)) reports.set(report.deliveryId, report);
  });
  setHandler(stockArrivedSignal, () => { stockArrived = true; });
  setHandler(
    cancelOrderUpdate,
    async (req) => {
      cancelRequest = req;
      await condition(() => s.status === 'cancelled' || s.stage === 'done' || (!logistics && s.stage !== 'delivery'));
      // Without returns, a delivery report landing in the same moment as the cancel wins.
      if (s.status !== 'cancelled') {
        throw ApplicationFailure.create({
          message: logistics ? `order ${s.status} before the cancel took effect` : 'order was delivered before the cancel took effect', type: 'TooLate',
        });
      }
      return view();
    },
    {
      validator: (_req) => {
        const why = cancelRefusal(s.status, s.stage, { returns: logistics }) ?? (cancelRequest ? 'a cancel is already under way' : undefined);
        if (why) throw new Error(why);
      },
    },
  );
  setHandler(
    retryDeliveryUpdate,
    async (req) => {
      schedulerRetry = req;
      // Answer once the new booking is made, so the scheduler sees the new attempt (or, waiting
      // for stock, once the stock was looked at again).
      const attempt = s.deliveryAttempts + 1;
      const checks = s.stockChecks;
      await condition(() => s.booked >= attempt || s.status === 'cancelled' || (s.holdReason === 'out-of-stock' && s.stockChecks > checks)
        || refusals.has(attempt) || ended);
      return bookingAnswer(attempt);
    },
    {
      validator: (req) => {
        const why = deliveryRetryRefusal(s.status, s.stage) ?? (schedulerRetry ? 'a retry is already being booked' : undefined);
        if (why) throw new Error(why);
        const bad = req.slot !== undefined ? slotRefusal(req.slot, Date.now()) : undefined;
        if (bad) throw new Error(bad);
      },
    },
  );

  // Reschedule and reassign: a new booking, whether the order is held or a booking is under way.
  const changeBooking = async (change: RetryDeliveryRequest): Promise<OrderView> => {
    const attempt = s.deliveryAttempts + 1;
    const checks = s.stockChecks;
    const request: BookingChange = { change };
    if (s.status === 'held') schedulerRetry = change;
    else rebook = request;
    await condition(() => s.booked >= attempt || s.status === 'cancelled' || request.refused !== undefined
      || (s.holdReason === 'out-of-stock' && s.stockChecks > checks) || refusals.has(attempt) || ended);
    if (request.refused) throw ApplicationFailure.create({ message: request.refused, type: 'TooLate' });
    return bookingAnswer(attempt);
  };
  const changeValidator = (what: string) => () => {
    if (!logistics) throw new Error(`this order predates ${what}; a held order can be retried with a new slot or courier`);
    const why = deliveryChangeRefusal(s.status, s.stage, openBooking !== undefined && !reports.has(openBooking))
      ?? (schedulerRetry || rebook ? 'a new booking is already being made' : cancelRequest ? 'a cancel is under way' : undefined);
    if (why) throw new Error(why);
  };
  setHandler(rescheduleDeliveryUpdate, ({ slot }) => changeBooking({ slot }), {
    validator: (req) => {
      changeValidator('rescheduling')();
      const why = slotRefusal(req.slot, Date.now());
      if (why) throw new Error(why);
    },
  });
  setHandler(reassignDeliveryUpdate, ({ courier: to }) => changeBooking({ courier: to }), {
    validator: (_req: { courier: string }) => changeValidator('reassignment')(),
  });

  /**
   * A timer a cancel cuts short (true). A zero wait is a plain sleep: condition(fn, 0) would add
   * a patch marker of the SDK's own, which a sleep does not.
   */
  const sleepUnlessCancelled = async (ms: number): Promise<boolean> => {
    if (ms > 0) return condition(() => cancelRequest !== undefined, ms);
    await sleep(ms);
    return cancelRequest !== undefined;
  };

  /** The courier delivered: the goods are shipped from the reservation and the money is booked. */
  const delivered = async (report: DeliveryReport) => {
    s.delivered = true;
    s.collected = report.amountCollected ?? 0;
    await data.recordDelivered({
      orderId, deliveryId: report.deliveryId,
      ...(report.amountCollected !== undefined ? { amountCollected: report.amountCollected, method: offer?.collect?.method ?? 'cash-on-delivery' } : {}),
    });
  };

  /**
   * Undoes what the order did, in reverse: the service in the BSS, the goods (a return pickup
   * once delivered, else the reservation released), then the money collected.
   */
  const compensate = async () => {
    wait('compensation');
    // Every step is tried even when one is refused; a refused step is recorded for a person.
    const step = async (what: string, run: () => Promise<string | undefined>) => {
      try {
        const done = await run();
        if (done) await compensated(done);
      } catch (err) {
        // Before the patch a refused step ended the workflow there (failed, the rest not undone).
        if (!(err instanceof ActivityFailure) || !patched(REVIEW_FIXES_PATCH)) throw err;
        await compensated(`${what} refused (${(err.cause as Error | undefined)?.message ?? err.message}); needs a person`);
      }
    };
    const activationId = s.activationId;
    if (activationId) {
      await step('deactivation', async () => {
        await undoInBss.deactivateService({ orderId, activationId });
        return `service ${activationId} deactivated in the BSS`;
      });
    }
    if (s.delivered) {
      await step('return pickup', async () => {
        const pickup = await returns.bookReturn({ orderId });
        return `return pickup booked with ${pickup.courier ?? 'the courier'} (${pickup.deliveryId})`;
      });
    } else {
      await step('stock release', async () => {
        const { released } = await data.releaseStock({ orderId });
        return released ? `stock reservation released at ${s.warehouse ?? 'the warehouse'}` : undefined;
      });
    }
    if (s.collected > 0) {
      await step('refund', async () => {
        const { amount } = await data.bookRefund({ orderId });
        return amount > 0 ? `refund of ${amount} yuan booked` : undefined;
      });
    }
  };

  const cancel = async (bookingId?: string): Promise<OrderView> => {
    if (bookingId) {
      const { cancelled, report: known } = await courier.cancelDelivery({ deliveryId: bookingId });
      if (logistics && !cancelled) {
        // The courier had finished it: its report (from the courier, or the webhook) tells what to undo.
        // Before the patch only the webhook's was waited for.
        const ownReport = patched(REVIEW_FIXES_PATCH);
        if (!ownReport || (!known && !reports.has(bookingId))) await condition(() => reports.has(bookingId), LATE_REPORT_MS);
        const late = reports.get(bookingId) ?? (ownReport ? known : undefined);
        if (late?.outcome === 'delivered') await delivered(late);
      }
    }
    if (logistics) await compensate();
    wait('nothing (cancelled)');
    await moveTo('cancelled', 'done', `cancelled: ${cancelRequest?.reason ?? 'no reason given'}`);
    await closeHandlers();
    return view();
  };

  /** The order closed: updates still waiting are answered now (before the patch they kept it open). */
  const closeHandlers = async () => {
    if (patched(CLOSE_ANSWERS_PATCH)) ended = true;
    await condition(allHandlersFinished);
  };

  /**
   * Reserves what the order ships; out of stock, the order is held until stock arrives (the
   * API's goods receipt signals it; it also looks again every few minutes) or a scheduler decides.
   * False: cancelled while waiting.
   */
  const reserveStock = async (items: Offer['ships']): Promise<boolean> => {
    let recheckMs = STOCK_RECHECK_MS;
    // Before the patch: cleared after looking (what came meanwhile was lost), re-checked every 10 minutes.
    const keepNews = patched(REVIEW_FIXES_PATCH);
    for (;;) {
      // Cleared before looking, so stock or a decision that comes meanwhile is not lost.
      if (keepNews) {
        stockArrived = false;
        schedulerRetry = undefined;
      }
      // A scheduler's retry with an address in another region: that region's warehouse is asked.
      const r = await data.reserveStock({ orderId, items, ...(next.region ? { region: next.region } : {}) });
      s.stockChecks++;
      s.warehouse = r.warehouse;
      if (r.reserved) {
        if (s.status === 'held') await moveTo('inProgress', 'delivery', `stock reserved at ${r.warehouse}`);
        return true;
      }
      const short = r.short.map((i) => `${i.sku} (${i.onHand} of ${i.wanted})`).join(', ');
      wait(`stock at ${r.warehouse}: ${short}; or a scheduler's decision`);
      if (s.status !== 'held') {
        s.holdReason = 'out-of-stock';
        await moveTo('held', 'delivery', `out of stock at ${r.warehouse}: ${short}; held until stock arrives`);
      }
      if (!keepNews) {
        stockArrived = false;
        schedulerRetry = undefined;
      }
      // Told when goods arrive; looks by itself too, less often the longer it waits (up to 6 hours).
      await condition(() => stockArrived || schedulerRetry !== undefined || cancelRequest !== undefined, recheckMs);
      if (keepNews) recheckMs = Math.min(recheckMs * 2, STOCK_RECHECK_MAX_MS);
      if (cancelRequest) return false;
      if (schedulerRetry) {
        [next, schedulerRetry] = [schedulerRetry, undefined];
        schedulerAsked = true;
      }
    }
  };

  // ---- Delivery: book, wait for the courier, retry by the policy for the reason, then a person --
  await moveTo('inProgress', 'delivery', 'booking the delivery');
  const perReason = patched(DELIVERY_POLICY_PATCH);
  /** Automatic retries per failure reason since a person last decided. */
  let retries: Partial<Record<FailedDelivery, number>> = {};
  let next: RetryDeliveryRequest = {};
  /**
   * Held for a scheduler, under the hold's SLA (escalated, then cancelled). True: the scheduler's
   * decision is taken (in `next`); false: it ends in a cancel.
   */
  const holdForScheduler = async (why: string, waitingFor: string): Promise<boolean> => {
    schedulerRetry = undefined;
    wait(waitingFor);
    s.holdReason = 'delivery-failed';
    await moveTo('held', 'delivery', why);
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
    if (cancelRequest) return false;
    next = schedulerRetry ?? {};
    schedulerRetry = undefined; // taken: a reschedule of the new booking is a new decision
    schedulerAsked = true;
    retries = {};
    const wasEscalated = s.escalated;
    if (wasEscalated) {
      s.escalated = false;
      upsertSearchAttributes([{ key: EscalatedKey, value: false }]);
    }
    await moveTo('inProgress', 'delivery', `scheduler asked for another delivery${next.address ? ' to a new address' : ''}`,
      wasEscalated ? { escalated: false } : undefined);
    return true;
  };
  /** A booking the courier refused for good, in its words; undefined for any other failure. */
  const courierRefusal = (err: unknown): string | undefined => {
    const cause = err instanceof ActivityFailure ? err.cause : undefined;
    if (!(cause instanceof ApplicationFailure) || cause.type !== 'BookingRejected') return undefined;
    return typeof cause.details?.[0] === 'string' ? cause.details[0] : cause.message;
  };
  /** Reserve, book, wait for the courier, retry or hold: until delivered (undefined) or closed. */
  const deliveryPhase = async (): Promise<OrderView | undefined> => {
    if (offer?.ships.length && !(await reserveStock(offer.ships))) return cancel();
    for (;;) {
      if (cancelRequest) return cancel();
      s.deliveryAttempts++;
      let booking: Awaited<ReturnType<typeof courier.bookDelivery>>;
      try {
        booking = await courier.bookDelivery({
          orderId, attempt: s.deliveryAttempts, ...next, ...(offer?.collect ? { collect: offer.collect } : {}),
        });
      } catch (err) {
        // Refused when a scheduler asked for it: the scheduler hears why and decides again. The
        // first, automatic booking refused still fails the order (below, compensated).
        const words = schedulerAsked ? courierRefusal(err) : undefined;
        if (words === undefined || !patched(SCHEDULER_REFUSAL_PATCH)) throw err;
        const refused = `the courier refused booking ${deliveryIdFor(orderId, s.deliveryAttempts)}: ${words}`;
        refusals.set(s.deliveryAttempts, refused);
        if (!(await holdForScheduler(`${refused}; held for a scheduler`, `a scheduler's decision (${refused})`))) return cancel();
        continue;
      }
      s.booked = s.deliveryAttempts;
      if (logistics) s.courier = booking.courier;
      if (booking.warehouse) s.warehouse = booking.warehouse; // a new region's warehouse took the reservation over
      if (perReason) upsertSearchAttributes([{ key: DeliveryAttemptsKey, value: s.deliveryAttempts }]);
      wait(`the courier's outcome for booking ${booking.deliveryId} (slot ${booking.slot})`);
      openBooking = booking.deliveryId;
      await condition(() => reports.has(booking.deliveryId) || cancelRequest !== undefined || rebook !== undefined);
      let report = reports.get(booking.deliveryId);
      if (!report && !cancelRequest && rebook) {
        // A scheduler moved it (slot or courier): cancelled at the courier, then booked again.
        const request = rebook;
        rebook = undefined;
        const { cancelled, report: known } = await courier.cancelDelivery({ deliveryId: booking.deliveryId });
        if (cancelled) {
          openBooking = undefined;
          next = { ...next, ...request.change };
          schedulerAsked = true;
          await moveTo('inProgress', 'delivery', request.change.courier
            ? `booking ${booking.deliveryId} given to courier ${request.change.courier}` : `booking ${booking.deliveryId} moved to ${request.change.slot}`);
          continue;
        }
        openBooking = undefined;
        request.refused = 'the courier had already finished this delivery; its outcome decides';
        // Before the patch the webhook's report was waited for, even with the courier's own at hand.
        if (known && !reports.has(booking.deliveryId) && patched(REVIEW_FIXES_PATCH)) reports.set(booking.deliveryId, known);
        await condition(() => reports.has(booking.deliveryId) || cancelRequest !== undefined);
        report = reports.get(booking.deliveryId);
      }
      openBooking = undefined;
      // Before the patch a move that came with the report stayed pending and moved the next booking.
      if (rebook && patched(REVIEW_FIXES_PATCH)) {
        // The courier reported in the same moment: nothing left to move.
        rebook.refused = 'the courier had already reported on this delivery';
        rebook = undefined;
      }
      if (!report) return cancel(booking.deliveryId);
      s.lastDeliveryOutcome = report.outcome;
      const step = perReason
        ? deliveryStep(report.outcome, report.outcome === 'delivered' ? 0 : retries[report.outcome] ?? 0, policy.delivery, policy.deliveryRetryDelaySeconds)
        : legacyStep(deliveryDecision(report.outcome, s.deliveryAttempts), policy.deliveryRetryDelaySeconds);
      if (step.kind === 'proceed') {
        if (logistics) await delivered(report);
        await moveTo('inProgress', 'activation', `delivered (attempt ${s.deliveryAttempts})${s.collected ? `, ${s.collected} yuan collected` : ''}`, { deliveredAt: report.at });
        return undefined;
      }
      const failed = report.outcome as FailedDelivery;
      if (step.kind === 'retry') {
        retries[failed] = (retries[failed] ?? 0) + 1;
        wait(`the automatic retry in ${step.delaySeconds}s`);
        await moveTo('inProgress', 'delivery', `delivery failed (${failed}); automatic retry`);
        await condition(() => cancelRequest !== undefined, step.delaySeconds * 1000);
        next = {};
        schedulerAsked = false;
        continue;
      }
      if (step.kind === 'cancel') {
        cancelRequest = { reason: `delivery ${failed}: the policy cancels the order` };
        return cancel();
      }
      const why = `delivery failed (${failed}) after ${s.deliveryAttempts} attempts; held for a scheduler`;
      if (!(await holdForScheduler(why, "a scheduler's decision (retry or cancel)"))) return cancel();
    }
  };
  let closed: OrderView | undefined;
  try {
    closed = await deliveryPhase();
  } catch (err) {
    // Before the patch a step refused for good failed the workflow itself, nothing undone.
    if (!logistics || !(err instanceof ActivityFailure) || !patched(REVIEW_FIXES_PATCH)) throw err;
    // A step refused for good (the courier refused the booking, say): the order fails, undone.
    await compensate();
    wait('nothing (failed)');
    await moveTo('failed', 'done', `delivery failed: ${(err.cause as Error | undefined)?.message ?? err.message}`);
    await closeHandlers();
    return view();
  }
  if (closed) return closed;

  // ---- Activation: exactly once in the BSS, keyed by the order id ------------------------------
  // A cancel that came with the delivery report: nothing to activate, only to undo (before the
  // patch it took effect after the activation).
  if (logistics && cancelRequest && patched(REVIEW_FIXES_PATCH)) return cancel();
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
    if (logistics) await compensate();
    wait('nothing (failed)');
    await moveTo('failed', 'done', why);
    await closeHandlers();
    return view();
  }
  // A cancel that came while the BSS was activating takes effect now (a return).
  if (logistics && cancelRequest) return cancel();

  // ---- Follow-up: a durable timer, then an after-sales call ------------------------------------
  wait(`the follow-up call, due in ${policy.followUpDelaySeconds}s`);
  if (logistics) {
    // Until the follow-up the customer may still return the order (a cancel).
    // Before the patch a zero delay was condition(fn, 0), with the SDK's marker.
    const delayMs = policy.followUpDelaySeconds * 1000;
    if (await (patched(REVIEW_FIXES_PATCH) ? sleepUnlessCancelled(delayMs) : condition(() => cancelRequest !== undefined, delayMs))) return cancel();
  } else {
    await sleep(policy.followUpDelaySeconds * 1000);
  }
  s.followUp = { result: 'unreached' };
  let soldAgain = false;
  for (let attempt = 1; attempt <= policy.followUpMaxAttempts; attempt++) {
    if (logistics && cancelRequest) return cancel();
    wait(`follow-up call attempt ${attempt}`);
    try {
      const outcome = await followUpCalls.placeCall({
        callId: followUpCallId(orderId, attempt), purpose: 'followup', campaignId: input.campaignId, orderId, attemptNo: attempt,
      });
      if (outcome.connected) {
        s.followUp = {
          result: 'reached', satisfaction: outcome.satisfaction, complaint: outcome.complaint ?? false,
          ...(outcome.complaintReason ? { complaintReason: outcome.complaintReason } : {}),
        };
        soldAgain = logistics && outcome.resale === true && policy.followUpOffer !== undefined;
        if (soldAgain && !patched(REVIEW_FIXES_PATCH)) {
          // Before the patch the sale was made here, a failure of it counting as an unreached call.
          const followOn = await data.startFollowOnOrder({ parentOrderId: orderId, offer: policy.followUpOffer!, policy });
          s.followOnOrderId = followOn.orderId;
          soldAgain = false;
        }
        break;
      }
    } catch {
      // the dialer could not place it: counts as an unreached attempt
    }
    if (attempt < policy.followUpMaxAttempts) {
      if (!logistics) await sleep(policy.followUpRetryDelaySeconds * 1000);
      else if (!patched(REVIEW_FIXES_PATCH)) await sleep(policy.followUpRetryDelaySeconds * 1000); // not cut short before the patch
      else if (await sleepUnlessCancelled(policy.followUpRetryDelaySeconds * 1000)) return cancel();
    }
  }
  // The call also offered something more: a yes is a new order, linked to this one.
  if (soldAgain) {
    const followOn = await data.startFollowOnOrder({ parentOrderId: orderId, offer: policy.followUpOffer!, policy });
    s.followOnOrderId = followOn.orderId;
  }
  // A return asked for during the call takes effect now (before the patch: too late, the order closed).
  if (logistics && cancelRequest && patched(REVIEW_FIXES_PATCH)) return cancel();
  const said = s.followUp.result === 'reached'
    ? `follow-up: satisfaction ${s.followUp.satisfaction ?? '-'}/5${s.followUp.complaint ? `, complaint recorded (${s.followUp.complaintReason ?? 'no reason given'})` : ''}${s.followOnOrderId ? `; sold ${policy.followUpOffer?.name} again: order ${s.followOnOrderId}` : ''}`
    : `follow-up: customer not reached in ${policy.followUpMaxAttempts} attempts`;
  wait('nothing (done)');
  await moveTo('completed', 'done', said, { followUp: s.followUp });
  await closeHandlers();
  return view();
}

/** The first version's verdicts in the per-reason policy's terms (orders started before the patch). */
function legacyStep(decision: DeliveryDecision, retryDelaySeconds: number): DeliveryStep {
  return decision === 'proceed' ? { kind: 'proceed' } : decision === 'hold' ? { kind: 'hold' } : { kind: 'retry', delaySeconds: retryDelaySeconds };
}
