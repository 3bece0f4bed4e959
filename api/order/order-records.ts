import { z } from 'zod';
import { waitingForOf } from '../../domain/order/waiting';

// An order as Postgres records it, and the schemas the API answers it with: lists and
// GET /orders/:id read the record alone, never the workflow (a query replays an evicted order).

export interface OrderRow {
  id: string;
  campaign_id: string | null;
  lead_id: string | null;
  channel: string;
  parent_order_id: string | null;
  courier: string | null;
  warehouse: string | null;
  hold_reason: string | null;
  region: string;
  offer_code: string;
  status: string;
  stage: string;
  delivery_attempts: number;
  delivered_at: Date | null;
  activated_at: Date | null;
  activation_ref: string | null;
  followup_result: string | null;
  satisfaction: number | null;
  complaint: boolean | null;
  complaint_reason: string | null;
  escalated_at: Date | null;
  /** The workflow's words, from its latest event (null on orders recorded before they were kept). */
  waiting_for: string | null;
  waiting_since: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * What the order waits for and since when: the workflow's words as its latest event recorded them;
 * for an order recorded before they were kept, worded from its status and stage, since its last change.
 */
export const waitingOf = (o: OrderRow) => ({
  waitingFor: o.waiting_for ?? waitingForOf({ status: o.status, stage: o.stage, holdReason: o.hold_reason, escalated: o.escalated_at !== null }),
  waitingSince: (o.waiting_since ?? o.updated_at).toISOString(),
});

export const toSummary = (o: OrderRow) => ({
  id: o.id, campaignId: o.campaign_id, region: o.region, offerCode: o.offer_code, status: o.status, stage: o.stage,
  ...waitingOf(o),
  deliveryAttempts: o.delivery_attempts, deliveredAt: iso(o.delivered_at), activatedAt: iso(o.activated_at),
  activationRef: o.activation_ref, followUp: o.followup_result
    ? { result: o.followup_result, satisfaction: o.satisfaction, complaint: o.complaint, complaintReason: o.complaint_reason }
    : null,
  escalatedAt: iso(o.escalated_at),
  channel: o.channel, parentOrderId: o.parent_order_id, courier: o.courier, warehouse: o.warehouse, holdReason: o.hold_reason,
  createdAt: o.created_at.toISOString(), updatedAt: o.updated_at.toISOString(),
});

export const OrderSummary = z.object({
  id: z.string(), campaignId: z.string().nullable(), region: z.string(), offerCode: z.string(), status: z.string(), stage: z.string(),
  waitingFor: z.string().describe('what the order waits for now, in words (e.g. "a scheduler\'s decision (retry or cancel)"), as its workflow said it'),
  waitingSince: z.string().describe('since when it waits for that'),
  deliveryAttempts: z.number(), deliveredAt: z.string().nullable(), activatedAt: z.string().nullable(),
  activationRef: z.string().nullable(),
  followUp: z.object({
    result: z.string(), satisfaction: z.number().nullable(), complaint: z.boolean().nullable(), complaintReason: z.string().nullable(),
  }).nullable(),
  /** Set while the order is held past its SLA without a scheduler's decision. */
  escalatedAt: z.string().nullable(),
  /** outbound (a campaign's call), api (another channel), followup (sold on a follow-up call). */
  channel: z.string(),
  /** The order whose follow-up call sold this one. */
  parentOrderId: z.string().nullable(),
  courier: z.string().nullable(), warehouse: z.string().nullable(),
  /** Why a held order waits: delivery-failed or out-of-stock. */
  holdReason: z.string().nullable(),
  createdAt: z.string(), updatedAt: z.string(),
});

export const OrderDetail = OrderSummary.extend({
  history: z.array(z.object({
    at: z.string(), status: z.string(), stage: z.string(), reason: z.string(),
    waitingFor: z.string().nullable().describe('what the order waited for from then on (null: recorded before it was kept)'),
  })),
  deliveries: z.array(z.object({
    id: z.string(), kind: z.string(), courier: z.string().nullable(), address: z.string(), slot: z.string().nullable(),
    refusal: z.string().nullable().describe("the courier's words when it refused the booking"),
    outcome: z.string().nullable(), outcomeAt: z.string().nullable(), amountCollected: z.number().nullable(),
  })),
  stock: z.array(z.object({ sku: z.string(), qty: z.number(), warehouse: z.string(), state: z.string() })),
  payments: z.array(z.object({ id: z.string(), kind: z.string(), method: z.string(), amount: z.number(), courier: z.string().nullable(), at: z.string() })),
  temporalUi: z.string(),
});
