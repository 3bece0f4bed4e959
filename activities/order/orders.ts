import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../../infra/db';
import { inTransaction } from '../../infra/db';
import type { OfferInput, OrderPolicy } from '../../domain/campaign/campaign';
import type { OrderStage, OrderStatus } from '../../domain/order/order';
import { followOnOrderId, orderIdFor, orderWorkflowId } from '../../domain/order/ids';
import { maskMsisdn } from '../../domain/compliance/masking';
import { CampaignIdKey, OrderStatusKey, RegionKey } from '../../workflows/search-attributes';
import type { OrderChannel, OrderFacts, OrderWorkflowInput } from '../../workflows/order/messages';

/** An order no campaign lead made: a sale from another channel, or one made on a follow-up call. */
export interface NewOrder {
  orderId: string;
  channel: Exclude<OrderChannel, 'outbound'>;
  customerId: number;
  offer: OfferInput;
  policy: OrderPolicy;
  campaignId?: string;
  parentOrderId?: string;
  /** The caller's key and a hash of its request: the same key with another request is refused. */
  idempotencyKey?: string;
  requestHash?: string;
  /** Said in the first state-history entry. */
  reason: string;
}

export type CreatedOrder =
  | { orderId: string; workflowId: string; created: boolean }
  | { conflict: string };

/**
 * Starts the order's workflow: keyed by the order id, and a start that finds it running (or
 * closed) reuses it, so however often this runs there is one order.
 */
export async function startOrderWorkflow(client: Client, taskQueue: string, args: OrderWorkflowInput, origin: string): Promise<string> {
  const workflowId = orderWorkflowId(args.orderId);
  try {
    await client.workflow.start('orderWorkflow', {
      workflowId,
      taskQueue,
      args: [args],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        ...(args.campaignId ? [{ key: CampaignIdKey, value: args.campaignId }] : []),
        { key: RegionKey, value: args.region },
        { key: OrderStatusKey, value: 'acknowledged' },
      ],
      staticSummary: `${args.offer.name} for ${args.maskedMsisdn} (${args.region})`,
      staticDetails: origin,
    });
  } catch (err) {
    // The order ran before and is closed: the start is already done, which is all we wanted.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return workflowId;
}

/**
 * Writes an order no lead made (row and first history entry, in one transaction), then starts its
 * workflow. A repeat with the same id and request finds the row and starts nothing new; the same
 * idempotency key with another request is a conflict.
 */
export async function createOrder(deps: { db: Db; client: Client; taskQueue: string }, o: NewOrder): Promise<CreatedOrder> {
  const row = await inTransaction(deps.db, async (tx) => {
    const inserted = await tx.query(
      `INSERT INTO orders (id, campaign_id, customer_id, region, offer_code, status, stage, address, channel, parent_order_id, idempotency_key, request_hash)
       SELECT $1, $2, c.id, c.region, $4, 'acknowledged', 'delivery', c.address, $5, $6, $7, $8 FROM customers c WHERE c.id = $3
       ON CONFLICT DO NOTHING`,
      [o.orderId, o.campaignId ?? null, o.customerId, o.offer.code, o.channel, o.parentOrderId ?? null, o.idempotencyKey ?? null, o.requestHash ?? null]);
    if (inserted.rowCount) {
      await tx.query(
        `INSERT INTO order_events (order_id, status, stage, reason, event_key) VALUES ($1, 'acknowledged', 'delivery', $2, 'acknowledged')
         ON CONFLICT DO NOTHING`, [o.orderId, o.reason]);
    }
    const { rows } = await tx.query<{ id: string; region: string; msisdn: string; request_hash: string | null; customer_id: string }>(
      `SELECT o.id, o.region, c.msisdn, o.request_hash, o.customer_id FROM orders o JOIN customers c ON c.id = o.customer_id
        WHERE o.id = $1 OR ($2::text IS NOT NULL AND o.idempotency_key = $2)`, [o.orderId, o.idempotencyKey ?? null]);
    return { row: rows[0], created: inserted.rowCount === 1 };
  });
  if (!row.row) return { conflict: `customer ${o.customerId} not found` };
  if (row.row.id !== o.orderId || (o.requestHash && row.row.request_hash !== o.requestHash)) {
    return { conflict: `idempotency key '${o.idempotencyKey}' was used for another order request` };
  }
  const args: OrderWorkflowInput = {
    orderId: o.orderId, channel: o.channel, region: row.row.region, offer: o.offer, maskedMsisdn: maskMsisdn(row.row.msisdn), policy: o.policy,
    ...(o.campaignId ? { campaignId: o.campaignId } : {}), ...(o.parentOrderId ? { parentOrderId: o.parentOrderId } : {}),
  };
  const origin = o.channel === 'followup' ? `Sold on the follow-up call of order **${o.parentOrderId}**.` : `Order from another channel (idempotency key ${o.idempotencyKey}).`;
  const workflowId = await startOrderWorkflow(deps.client, deps.taskQueue, args, origin);
  return { orderId: o.orderId, workflowId, created: row.created };
}

export function createOrderActivities(deps: { db: Db; client: Client; taskQueue: string }) {
  const { db } = deps;
  return {
    /**
     * Turns an accepted lead into an order: the row first, then the workflow. Both are keyed by the
     * (campaign, lead) order id, and a start that finds the workflow running reuses it, so however
     * often this runs there is one order.
     */
    async startOrder(input: { campaignId: string; leadId: number; offer: OfferInput; policy: OrderPolicy }): Promise<{
      orderId: string;
      workflowId: string;
    }> {
      const orderId = orderIdFor(input.campaignId, input.leadId);
      const order = await inTransaction(db, async (tx) => {
        await tx.query(
          `INSERT INTO orders (id, campaign_id, lead_id, customer_id, region, offer_code, status, stage, address)
           SELECT $1, l.campaign_id, l.id, l.customer_id, l.region, $3, 'acknowledged', 'delivery', c.address
             FROM leads l JOIN customers c ON c.id = l.customer_id
            WHERE l.id = $2 AND l.campaign_id = $4
           ON CONFLICT (id) DO NOTHING`,
          [orderId, input.leadId, input.offer.code, input.campaignId],
        );
        const { rows } = await tx.query<{ region: string; msisdn: string }>(
          `SELECT o.region, l.msisdn FROM orders o JOIN leads l ON l.id = o.lead_id WHERE o.id = $1`,
          [orderId],
        );
        // No lead (erased meanwhile, say): no order, and nothing for its history to refer to.
        if (!rows[0]) return undefined;
        await tx.query(
          `INSERT INTO order_events (order_id, status, stage, reason, event_key)
           VALUES ($1, 'acknowledged', 'delivery', 'customer accepted the offer on the phone', 'acknowledged')
           ON CONFLICT DO NOTHING`,
          [orderId],
        );
        return rows[0];
      });
      if (!order) throw ApplicationFailure.nonRetryable(`lead ${input.leadId} not found in ${input.campaignId}`, 'UnknownLead');

      const args: OrderWorkflowInput = {
        orderId, campaignId: input.campaignId, leadId: input.leadId, region: order.region,
        offer: input.offer, maskedMsisdn: maskMsisdn(order.msisdn), policy: input.policy,
      };
      const workflowId = await startOrderWorkflow(deps.client, deps.taskQueue, args, `Order from campaign **${input.campaignId}**, lead ${input.leadId}.`);
      return { orderId, workflowId };
    },

    /**
     * The follow-up call sold again: a new order for the same customer, linked to this one
     * ('<order>-r1'), started once however often this runs.
     */
    async startFollowOnOrder(input: { parentOrderId: string; offer: OfferInput; policy: OrderPolicy }): Promise<{ orderId: string; workflowId: string }> {
      const { rows: [parent] } = await db.query<{ customer_id: string }>('SELECT customer_id FROM orders WHERE id = $1', [input.parentOrderId]);
      if (!parent) throw ApplicationFailure.nonRetryable(`order ${input.parentOrderId} not found`, 'UnknownOrder');
      const { followUpOffer: _none, ...policy } = input.policy;
      const made = await createOrder(deps, {
        orderId: followOnOrderId(input.parentOrderId), channel: 'followup', customerId: Number(parent.customer_id),
        offer: input.offer, policy, parentOrderId: input.parentOrderId,
        reason: `customer accepted ${input.offer.name} on the follow-up call of order ${input.parentOrderId}`,
      });
      if ('conflict' in made) throw ApplicationFailure.nonRetryable(made.conflict, 'OrderConflict');
      return { orderId: made.orderId, workflowId: made.workflowId };
    },

    /** Records one state transition (idempotent per event key) and its facts on the order row. */
    async recordOrderEvent(input: {
      orderId: string;
      status: OrderStatus;
      stage: OrderStage;
      reason: string;
      eventKey: string;
      deliveryAttempts?: number;
      facts?: OrderFacts;
    }): Promise<void> {
      const f = input.facts ?? {};
      await inTransaction(db, async (tx) => {
        const inserted = await tx.query(
          `INSERT INTO order_events (order_id, status, stage, reason, event_key)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
          [input.orderId, input.status, input.stage, input.reason, input.eventKey],
        );
        if (inserted.rowCount === 0) return;
        await tx.query(
          `UPDATE orders SET status = $2, stage = $3, updated_at = now(),
                  delivery_attempts = COALESCE($4, delivery_attempts),
                  delivered_at = COALESCE($5::timestamptz, delivered_at),
                  activated_at = COALESCE($6::timestamptz, activated_at),
                  activation_ref = COALESCE($7, activation_ref),
                  followup_result = COALESCE($8, followup_result),
                  followed_up_at = CASE WHEN $8::text IS NULL THEN followed_up_at ELSE now() END,
                  satisfaction = COALESCE($9, satisfaction),
                  complaint = COALESCE($10, complaint),
                  complaint_reason = COALESCE($13, complaint_reason),
                  escalated_at = CASE WHEN $11::boolean IS TRUE THEN now() WHEN $11::boolean IS FALSE THEN NULL ELSE escalated_at END,
                  hold_reason = CASE WHEN $2 = 'held' THEN COALESCE($12, hold_reason) END
            WHERE id = $1`,
          [input.orderId, input.status, input.stage, input.deliveryAttempts ?? null, f.deliveredAt ?? null,
            f.activatedAt ?? null, f.activationRef ?? null, f.followUp?.result ?? null,
            f.followUp?.satisfaction ?? null, f.followUp?.complaint ?? null, f.escalated ?? null, f.holdReason ?? null, f.followUp?.complaintReason ?? null],
        );
        if (f.followUp?.complaint) {
          await tx.query(
            `INSERT INTO complaints (order_id, campaign_id, reason)
             SELECT id, campaign_id, $2 FROM orders WHERE id = $1 ON CONFLICT (order_id) DO NOTHING`,
            [input.orderId, f.followUp.complaintReason ?? 'not said']);
        }
      });
    },
  };
}
