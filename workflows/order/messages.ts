/**
 * The order workflow's face to the outside: its input, the signals, queries and updates the API and
 * the dispatcher's jobs send it, their types, and the patch names other modules refer to. The only
 * module of workflows/order that api/ and activities/ import; it imports the SDK's message helpers
 * and types alone, so importing it pulls no workflow code (and no activity) along.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { OfferInput, OrderPolicy } from '../../domain/campaign/campaign';
import type { DeliveryOutcome, OrderStage, OrderStatus } from '../../domain/order/order';
import type { Actor } from '../../domain/access/roles';

export { orderWorkflowId } from '../../domain/order/ids';

/** Where an order was sold: a campaign's call, another channel (api), a follow-up call, the hotline (an inbound call), a self-service channel. */
export type OrderChannel = 'outbound' | 'api' | 'followup' | 'hotline' | 'ivr' | 'sms' | 'app' | 'web';

export interface OrderWorkflowInput {
  orderId: string;
  /** The campaign that sold it; none for orders from other channels. */
  campaignId?: string;
  /** The accepted lead (outbound orders). */
  leadId?: number;
  /** Where the sale was made: outbound (a campaign's call), api (another channel), followup (sold on a follow-up call). */
  channel?: OrderChannel;
  /** The order whose follow-up call sold this one. */
  parentOrderId?: string;
  region: string;
  offer: OfferInput;
  /** The customer, by id: no number, name or address travels through Temporal (docs/security.md). */
  customerId?: number;
  /** Orders started before numbers were kept out of Temporal carry the customer's masked number. */
  maskedMsisdn?: string;
  policy: OrderPolicy;
}

/** Facts a transition records on the order row besides its status. */
export interface OrderFacts {
  deliveredAt?: string;
  activatedAt?: string;
  activationRef?: string;
  followUp?: { result: 'reached' | 'unreached'; satisfaction?: number; complaint?: boolean; complaintReason?: string };
  /** true: the hold was escalated now; false: a person decided, the escalation is over. */
  escalated?: boolean;
  /** Why a held order waits (recorded with the hold; cleared when it moves on). */
  holdReason?: 'delivery-failed' | 'out-of-stock';
  /** The service the order activated was deactivated (compensation): the customer no longer owns the offer. */
  deactivated?: boolean;
}

/** What the courier reported for one booking (passed on by the API's courier webhook). */
export interface DeliveryReport {
  deliveryId: string;
  outcome: DeliveryOutcome;
  at: string;
  amountCollected?: number;
}

export interface RetryDeliveryRequest {
  /**
   * A new address the scheduler gave, by its id: the API keeps the address (address_corrections)
   * and the booking reads it there, so no address travels through Temporal.
   */
  addressId?: string;
  /** A new address in clear: only requests sent before addresses were kept out of Temporal. */
  address?: string;
  /** The region of the new address: the order is routed to that region's courier. */
  region?: string;
  /** The slot agreed with the customer (ISO time); the courier's next slot otherwise. */
  slot?: string;
  /** Another courier than the region's. */
  courier?: string;
  /** Who asked (added later: older callers send none); the order's history names them. */
  by?: Actor;
}
/** A scheduler's or a channel's cancel: why, and who asked. */
export interface CancelOrderRequest {
  reason: string;
  by?: Actor;
}

export interface OrderView {
  orderId: string;
  campaignId?: string;
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
  /** Why it is held: a failed delivery (a scheduler decides) or no stock at the warehouse. */
  holdReason?: 'delivery-failed' | 'out-of-stock';
  warehouse?: string;
  courier?: string | null;
  /** Money the courier collected at the door, in yuan. */
  collected?: number;
  /** Compensation steps taken, in order (cancelled or failed orders). */
  compensation?: string[];
  /** The order sold on this one's follow-up call. */
  followOnOrderId?: string;
}

/** The patch that replaced "retry once, then hold" with the per-reason delivery policy and the hold SLA. */
export const DELIVERY_POLICY_PATCH = 'delivery-policy-per-reason';
/**
 * The patch that added stock reservation, routing to the region's courier, payment at the door and
 * compensation (release, return pickup and refund, deactivation) when an order is cancelled or fails.
 */
export const LOGISTICS_PATCH = 'stock-payment-compensation';
/**
 * The review fixes that first went in without a patch (a8dcfda): every undo step tried, a step
 * refused for good failing the order with compensation, the courier's own report used on a late
 * cancel or move, a move racing the report refused, a cancel taking effect before activation and
 * during the follow-up, stock and decisions kept while stock is looked at (re-checks backing off),
 * the follow-on sale made after the calls. Histories from before it keep the old commands.
 */
export const REVIEW_FIXES_PATCH = 'order-review-fixes';
/** A booking a scheduler asked for that the courier refuses: the update is told why, the order is held again. */
export const SCHEDULER_REFUSAL_PATCH = 'scheduler-booking-refused-holds';
/** An order that closes answers the updates still waiting, so none keeps it open for ever. */
export const CLOSE_ANSWERS_PATCH = 'updates-answered-on-close';
/**
 * Follow-up calls are calls like sales calls: each waits for the customer's calling window (the
 * policy's followUpWindow, else the campaign's) and is checked in it at dialing; one that offers
 * something is checked against the contact cap and counted by it, and a refused one is not tried again.
 */
export const FOLLOWUP_WINDOW_PATCH = 'followup-window-and-cap';
/**
 * What the order waits for is kept in Postgres (each event carries it): a change of it that comes
 * without a move (a booking confirmed, a follow-up waiting for its window or being called,
 * compensation begun, stock still short on a re-check) is recorded too, by an activity
 * (`recordOrderWait`), so GET /orders/:id and reports never ask the workflow.
 */
export const WAITS_RECORDED_PATCH = 'order-waits-recorded';

export const deliveryReportSignal = defineSignal<[DeliveryReport]>('deliveryReport');
export const orderQuery = defineQuery<OrderView>('order');
export const retryDeliveryUpdate = defineUpdate<OrderView, [RetryDeliveryRequest]>('retryDelivery');
export const cancelOrderUpdate = defineUpdate<OrderView, [CancelOrderRequest]>('cancel');
/**
 * A scheduler moves the delivery to another slot, or gives it to another courier: a held order is
 * booked again so; a booking under way is cancelled at the courier and booked again. Answers once
 * the new booking is made, or refuses (e.g. the courier had already finished it).
 */
export const rescheduleDeliveryUpdate = defineUpdate<OrderView, [{ slot: string; by?: Actor }]>('rescheduleDelivery');
export const reassignDeliveryUpdate = defineUpdate<OrderView, [{ courier: string; by?: Actor }]>('reassignDelivery');
/** Stock arrived at a warehouse (the API's goods receipt): an order waiting for stock looks again. */
export const stockArrivedSignal = defineSignal<[{ warehouse: string; by?: Actor }]>('stockArrived');
