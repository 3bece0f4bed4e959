import { moveRefusal, type DeliveryOutcome, type FailedDelivery, type OrderStage, type OrderStatus } from '../../domain/order/order';
import { WAITING } from '../../domain/order/waiting';
import type { CancelOrderRequest, DeliveryReport, OrderFacts, OrderView, RetryDeliveryRequest } from './messages';

/** A reschedule or reassignment waiting to be carried out, and why it could not be, once known. */
export interface BookingChange {
  change: RetryDeliveryRequest;
  refused?: string;
}

/** One move as the order's history records it (the reason is the caller's). */
export interface OrderEvent {
  status: OrderStatus;
  stage: OrderStage;
  eventKey: string;
  deliveryAttempts: number;
  facts?: OrderFacts;
}

/** Why an update waiting for a booking is answered with a failure instead of the order's view. */
export interface BookingFailure {
  type: 'BookingRefused' | 'OrderClosed';
  message: string;
}

/** A move the order's life does not allow: a bug in the workflow, which fails its task, not the order. */
export class OrderMoveRefused extends Error {
  override name = 'OrderMoveRefused';
}

/**
 * What an order knows and where it stands: the one place its status and stage change, and only
 * along the moves domain/order/order.ts allows (anything else is a bug, and throws). Plain data and
 * methods, no Temporal: the workflow carries out the effects of a move (details, search
 * attributes, the event row), this decides the move.
 */
export class OrderState {
  status: OrderStatus = 'acknowledged';
  stage: OrderStage = 'delivery';
  waitingFor: string = WAITING.start;
  since: string;
  deliveryAttempts = 0;
  /** The last attempt the courier confirmed. */
  booked = 0;
  lastDeliveryOutcome: DeliveryOutcome | undefined;
  activationId: string | undefined;
  followUp: OrderFacts['followUp'];
  escalated = false;
  /** 'acknowledged' was recorded by the starter. */
  events = 1;
  /** Changes of what the order waits for recorded without a move (each its own event key). */
  waits = 0;
  holdReason: OrderView['holdReason'];
  warehouse: string | undefined;
  courier: string | null | undefined;
  delivered = false;
  collected = 0;
  readonly compensation: string[] = [];
  stockChecks = 0;
  followOnOrderId: string | undefined;

  stockArrived = false;
  readonly reports = new Map<string, DeliveryReport>();
  cancelRequest: CancelOrderRequest | undefined;
  schedulerRetry: RetryDeliveryRequest | undefined;
  /** A reschedule or reassignment of the booking under way, and why one could not be done. */
  rebook: BookingChange | undefined;
  /** A move taken from `rebook` is being carried out at the courier (validators refuse another meanwhile). */
  moving = false;
  /** The booking whose outcome the order waits for now. */
  openBooking: string | undefined;
  /** Attempts the courier refused for good, with what it said: the scheduler who asked for one is told. */
  readonly refusals = new Map<number, string>();
  /** The next booking is one a scheduler asked for (a refusal holds the order again instead of failing it). */
  schedulerAsked = false;
  /** Closed: updates still waiting get their answer. */
  ended = false;
  /** What the next booking asks the courier for (a scheduler's address, slot or courier). */
  next: RetryDeliveryRequest = {};
  /** Automatic retries per failure reason since a person last decided. */
  retries: Partial<Record<FailedDelivery, number>> = {};

  /** `logistics`: an order with stock, payment and compensation (its view shows them). */
  constructor(readonly orderId: string, readonly campaignId: string | undefined, readonly logistics: boolean, now = new Date()) {
    this.since = now.toISOString();
  }

  waitFor(what: string, now = new Date()): void {
    this.waitingFor = what;
    this.since = now.toISOString();
  }

  /**
   * Moves to a status and stage and returns the event to record. Callers set what the order waits
   * for *before* the move, so a query between the status change and its recording never shows a new
   * status with an old reason to wait.
   */
  move(status: OrderStatus, stage: OrderStage, facts?: OrderFacts): OrderEvent & { statusChanged: boolean } {
    const refused = moveRefusal(this, { status, stage });
    if (refused) throw new OrderMoveRefused(`order ${this.orderId}: ${refused}`);
    const statusChanged = status !== this.status;
    if (status !== 'held') this.holdReason = undefined;
    this.status = status;
    this.stage = stage;
    this.events++;
    return {
      statusChanged, status, stage, eventKey: `${this.events}-${status}-${stage}`, deliveryAttempts: this.deliveryAttempts,
      facts: this.logistics && status === 'held' ? { holdReason: this.holdReason ?? 'delivery-failed', ...facts } : facts,
    };
  }

  /**
   * The event key of a change of what the order waits for, recorded without a move: keyed apart
   * from the moves' keys, so recording it changes no move's key.
   */
  nextWaitKey(): string {
    this.waits++;
    return `${this.events}-wait-${this.waits}`;
  }

  /** The courier may repeat itself; the first report of a booking counts. */
  reportArrived(report: DeliveryReport): void {
    if (!this.reports.has(report.deliveryId)) this.reports.set(report.deliveryId, report);
  }

  /** The courier confirmed booking `deliveryAttempts`: the order waits for its outcome. */
  bookingConfirmed(booking: { deliveryId: string; courier: string | null; warehouse?: string }): void {
    this.booked = this.deliveryAttempts;
    if (this.logistics) this.courier = booking.courier;
    if (booking.warehouse) this.warehouse = booking.warehouse; // a new region's warehouse took the reservation over
    this.openBooking = booking.deliveryId;
  }

  /**
   * A held order's scheduler decided on another delivery: it is booked as they asked, the automatic
   * retries start over, and an escalation ends. True: the hold had been escalated.
   */
  schedulerDecided(): boolean {
    this.next = this.schedulerRetry ?? {};
    this.schedulerRetry = undefined; // taken: a reschedule of the new booking is a new decision
    this.schedulerAsked = true;
    this.retries = {};
    const wasEscalated = this.escalated;
    this.escalated = false;
    return wasEscalated;
  }

  /** The booking under way was cancelled at the courier for a scheduler's change: the next one makes it. */
  rebooked(change: RetryDeliveryRequest): void {
    this.openBooking = undefined;
    this.next = { ...this.next, ...change };
    this.schedulerAsked = true;
  }

  /** Whether an update waiting for booking `attempt` (asked when `checks` stock checks were made) has its answer. */
  bookingSettled(attempt: number, checks: number): boolean {
    return this.booked >= attempt || this.status === 'cancelled' || (this.holdReason === 'out-of-stock' && this.stockChecks > checks)
      || this.refusals.has(attempt) || this.ended;
  }

  /** Why an update waiting for booking `attempt` fails: the courier refused it, or the order closed first. */
  bookingFailure(attempt: number): BookingFailure | undefined {
    const refused = this.refusals.get(attempt);
    if (refused !== undefined) return { type: 'BookingRefused', message: `${refused}; the order is held for a scheduler's decision` };
    if (this.ended && this.booked < attempt && this.status !== 'cancelled') {
      return { type: 'OrderClosed', message: `order ${this.status} before the new booking was made` };
    }
    return undefined;
  }

  view(): OrderView {
    return {
      orderId: this.orderId, campaignId: this.campaignId, status: this.status, stage: this.stage, waitingFor: this.waitingFor,
      since: this.since, deliveryAttempts: this.deliveryAttempts, lastDeliveryOutcome: this.lastDeliveryOutcome,
      activationId: this.activationId, followUp: this.followUp, escalated: this.escalated,
      ...(this.logistics ? {
        holdReason: this.holdReason, courier: this.courier, collected: this.collected, compensation: this.compensation,
        ...(this.warehouse ? { warehouse: this.warehouse } : {}), ...(this.followOnOrderId ? { followOnOrderId: this.followOnOrderId } : {}),
      } : {}),
    };
  }

  /** What ops read in the UI's current details. */
  details(): string {
    return `**${this.status}**${this.escalated ? ' · **escalated**: no scheduler decision within the SLA' : ''} · ${this.stage}\n\n` +
      `Waiting for: ${this.waitingFor} (since ${this.since}).\n\nDelivery attempts: ${this.deliveryAttempts}` +
      `${this.lastDeliveryOutcome ? `, last: ${this.lastDeliveryOutcome}` : ''}.`;
  }
}
