import { allHandlersFinished, condition, patched, setCurrentDetails, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { Offer, OrderPolicy } from '../../domain/campaign/campaign';
import type { OrderStage, OrderStatus } from '../../domain/order/order';
import { OrderStatusKey } from '../search-attributes';
import { orderRecords, stock } from './activities';
import { CLOSE_ANSWERS_PATCH, type DeliveryReport, type OrderFacts, type OrderView, type OrderWorkflowInput } from './messages';
import { OrderState } from './state';

/**
 * One order being run: its input with defaults applied, its state, and the effects every phase
 * shares (what ops read in the UI, the search attributes, the event rows).
 */
export class OrderRun {
  readonly orderId: string;
  readonly state: OrderState;

  /**
   * `logistics`: patched in, the order reserves stock, takes payment at the door and compensates
   * (`offer` is then the offer with its defaults).
   */
  constructor(
    readonly input: OrderWorkflowInput, readonly policy: OrderPolicy, readonly logistics: boolean, readonly offer: Offer | undefined,
    /** Patched in: a change of what the order waits for that comes without a move is recorded too. */
    readonly recordsWaits = false,
  ) {
    this.orderId = input.orderId;
    this.state = new OrderState(input.orderId, input.campaignId, logistics);
  }

  view = (): OrderView => this.state.view();

  showDetails(): void {
    setCurrentDetails(this.state.details());
  }

  /** What the order waits for from now on: set before a move, whose event records it. */
  wait(what: string): void {
    this.state.waitFor(what);
    this.showDetails();
  }

  /**
   * What the order waits for changes without a move: recorded (`why` in the order's history of
   * waits), so Postgres answers what the query answers. Orders started before the patch only say it.
   */
  async waitRecorded(what: string, why: string): Promise<void> {
    this.wait(what);
    if (!this.recordsWaits) return;
    const { state } = this;
    await orderRecords.recordOrderWait({
      orderId: this.orderId, status: state.status, stage: state.stage, reason: why, eventKey: state.nextWaitKey(),
      waitingFor: state.waitingFor, waitingSince: state.since,
    });
  }

  /** Moves the order (set what it waits for first) and records the move in its history. */
  async moveTo(status: OrderStatus, stage: OrderStage, reason: string, facts?: OrderFacts): Promise<void> {
    const { statusChanged, ...event } = this.state.move(status, stage, facts);
    this.showDetails();
    if (statusChanged) upsertSearchAttributes([{ key: OrderStatusKey, value: status }]);
    await orderRecords.recordOrderEvent({
      orderId: this.orderId, status, stage, reason, eventKey: event.eventKey, deliveryAttempts: event.deliveryAttempts, facts: event.facts,
      // What it waits for from now on: activity input only, the same commands for every history.
      waitingFor: this.state.waitingFor, waitingSince: this.state.since,
    });
  }

  /** A compensation step: in the state history (same status, with the facts it changed), the details and the query. */
  async compensated(step: string, facts?: OrderFacts): Promise<void> {
    this.state.compensation.push(step);
    await this.moveTo(this.state.status, this.state.stage, `compensation: ${step}`, facts);
  }

  /** The courier delivered: the goods are shipped from the reservation and the money is booked. */
  async delivered(report: DeliveryReport): Promise<void> {
    this.state.delivered = true;
    this.state.collected = report.amountCollected ?? 0;
    await stock.recordDelivered({
      orderId: this.orderId, deliveryId: report.deliveryId,
      ...(report.amountCollected !== undefined ? { amountCollected: report.amountCollected, method: this.offer?.collect?.method ?? 'cash-on-delivery' } : {}),
    });
  }

  /**
   * A timer a cancel cuts short (true). A zero wait is a plain sleep: condition(fn, 0) would add
   * a patch marker of the SDK's own, which a sleep does not.
   */
  async sleepUnlessCancelled(ms: number): Promise<boolean> {
    if (ms > 0) return condition(() => this.state.cancelRequest !== undefined, ms);
    await sleep(ms);
    return this.state.cancelRequest !== undefined;
  }

  /** The order closed: updates still waiting are answered now (before the patch they kept it open). */
  async close(): Promise<OrderView> {
    if (patched(CLOSE_ANSWERS_PATCH)) this.state.ended = true;
    await condition(allHandlersFinished);
    return this.view();
  }
}
