import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../infra/db';
import { inTransaction } from '../infra/db';
import type { OfferInput, OrderPolicy } from '../domain/campaign';
import type { OrderStage, OrderStatus } from '../domain/order';
import { orderIdFor, orderWorkflowId } from '../domain/ids';
import { maskMsisdn } from '../domain/masking';
import { CampaignIdKey, OrderStatusKey, RegionKey } from '../workflows/search-attributes';

export interface OrderWorkflowInput {
  orderId: string;
  campaignId: string;
  leadId: number;
  region: string;
  offer: OfferInput;
  maskedMsisdn: string;
  policy: OrderPolicy;
}

/** Facts a transition records on the order row besides its status. */
export interface OrderFacts {
  deliveredAt?: string;
  activatedAt?: string;
  activationRef?: string;
  followUp?: { result: 'reached' | 'unreached'; satisfaction?: number; complaint?: boolean };
  /** true: the hold was escalated now; false: a person decided, the escalation is over. */
  escalated?: boolean;
  /** Why a held order waits (recorded with the hold; cleared when it moves on). */
  holdReason?: 'delivery-failed' | 'out-of-stock';
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
        await tx.query(
          `INSERT INTO order_events (order_id, status, stage, reason, event_key)
           VALUES ($1, 'acknowledged', 'delivery', 'customer accepted the offer on the phone', 'acknowledged')
           ON CONFLICT DO NOTHING`,
          [orderId],
        );
        const { rows } = await tx.query<{ region: string; msisdn: string }>(
          `SELECT o.region, l.msisdn FROM orders o JOIN leads l ON l.id = o.lead_id WHERE o.id = $1`,
          [orderId],
        );
        return rows[0];
      });
      if (!order) throw ApplicationFailure.nonRetryable(`lead ${input.leadId} not found in ${input.campaignId}`, 'UnknownLead');

      const workflowId = orderWorkflowId(orderId);
      const masked = maskMsisdn(order.msisdn);
      const args: OrderWorkflowInput = {
        orderId, campaignId: input.campaignId, leadId: input.leadId, region: order.region,
        offer: input.offer, maskedMsisdn: masked, policy: input.policy,
      };
      try {
        await deps.client.workflow.start('orderWorkflow', {
          workflowId,
          taskQueue: deps.taskQueue,
          args: [args],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: CampaignIdKey, value: input.campaignId },
            { key: RegionKey, value: order.region },
            { key: OrderStatusKey, value: 'acknowledged' },
          ],
          staticSummary: `${input.offer.name} for ${masked} (${order.region})`,
          staticDetails: `Order from campaign **${input.campaignId}**, lead ${input.leadId}.`,
        });
      } catch (err) {
        // The order ran before and is closed: the start is already done, which is all we wanted.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      return { orderId, workflowId };
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
                  escalated_at = CASE WHEN $11::boolean IS TRUE THEN now() WHEN $11::boolean IS FALSE THEN NULL ELSE escalated_at END,
                  hold_reason = CASE WHEN $2 = 'held' THEN COALESCE($12, hold_reason) END
            WHERE id = $1`,
          [input.orderId, input.status, input.stage, input.deliveryAttempts ?? null, f.deliveredAt ?? null,
            f.activatedAt ?? null, f.activationRef ?? null, f.followUp?.result ?? null,
            f.followUp?.satisfaction ?? null, f.followUp?.complaint ?? null, f.escalated ?? null, f.holdReason ?? null],
        );
      });
    },
  };
}
