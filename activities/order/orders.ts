import { ApplicationFailure } from '@temporalio/activity';
import { inTransaction } from '../../infra/db';
import type { OfferInput, OrderPolicy } from '../../domain/campaign/campaign';
import type { OrderStage, OrderStatus } from '../../domain/order/order';
import type { OrderFacts } from '../../workflows/order/messages';
import type { FollowUpContext } from '../../domain/order/follow-up';
import { keepWaiting, recordWait, type Waiting } from '../../db/order/waiting-sql';
import { createFollowOnOrder, createLeadOrder, type OrderDeps } from './create';

export function createOrderActivities(deps: OrderDeps) {
  const { db } = deps;
  return {
    /** An accepted lead becomes its order (createLeadOrder); a lead erased meanwhile is no order. */
    async startOrder(input: { campaignId: string; leadId: number; offer: OfferInput; policy: OrderPolicy }): Promise<{
      orderId: string;
      workflowId: string;
    }> {
      const made = await createLeadOrder(deps, input);
      if (made.kind !== 'created') throw ApplicationFailure.nonRetryable(made.message, 'UnknownLead');
      return { orderId: made.orderId, workflowId: made.workflowId };
    },

    /** The follow-up call sold again: its order (createFollowOnOrder). */
    async startFollowOnOrder(input: { parentOrderId: string; offer: OfferInput; policy: OrderPolicy }): Promise<{ orderId: string; workflowId: string }> {
      const made = await createFollowOnOrder(deps, input);
      if (made.kind !== 'created') throw ApplicationFailure.nonRetryable(made.message, made.kind === 'not-found' ? 'UnknownOrder' : 'OrderConflict');
      return { orderId: made.orderId, workflowId: made.workflowId };
    },

    /**
     * What the follow-up's rules are made from (domain/order/follow-up.ts): the customer's time zone,
     * where the check at dialing reads the window, and the campaign's window and cap as launched.
     */
    async followUpRules(input: { orderId: string }): Promise<FollowUpContext> {
      const { rows: [row] } = await db.query<{ time_zone: string; window: FollowUpContext['campaignWindow'] | null; cap: FollowUpContext['campaignContactCap'] | null }>(
        `SELECT r.time_zone, k.definition->'window' AS window, k.definition->'contactCap' AS cap
           FROM orders o JOIN customers c ON c.id = o.customer_id JOIN regions r ON r.code = c.region
           LEFT JOIN campaigns k ON k.id = o.campaign_id
          WHERE o.id = $1`, [input.orderId]);
      if (!row) throw ApplicationFailure.nonRetryable(`order ${input.orderId} not found`, 'UnknownOrder');
      return { timeZone: row.time_zone, ...(row.window ? { campaignWindow: row.window } : {}), ...(row.cap ? { campaignContactCap: row.cap } : {}) };
    },

    /**
     * Records one state transition (idempotent per event key) and its facts on the order row, with
     * what the order waits for from then on (orders started before it was passed say nothing); an
     * activation adds the offer's service to the customer's services and a deactivation takes it
     * away again, in the same transaction, so "already owns the offer" sees what this system sold.
     */
    async recordOrderEvent(input: {
      orderId: string;
      status: OrderStatus;
      stage: OrderStage;
      reason: string;
      eventKey: string;
      deliveryAttempts?: number;
      facts?: OrderFacts;
    } & Partial<Waiting>): Promise<void> {
      const f = input.facts ?? {};
      await inTransaction(db, async (tx) => {
        const inserted = await tx.query(
          `INSERT INTO order_events (order_id, status, stage, reason, event_key, waiting_for, waiting_since)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
          [input.orderId, input.status, input.stage, input.reason, input.eventKey, input.waitingFor ?? null, input.waitingSince ?? null],
        );
        if (inserted.rowCount === 0) return;
        if (input.waitingFor !== undefined && input.waitingSince !== undefined) {
          await keepWaiting(tx, input.orderId, { waitingFor: input.waitingFor, waitingSince: input.waitingSince });
        }
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
        if (f.activatedAt) {
          // Added only when missing: a customer who owned it before keeps it when this order is undone.
          await tx.query(
            `WITH o AS (SELECT customer_id, offer_code FROM orders WHERE id = $1),
                  added AS (UPDATE customers c SET services = array_append(c.services, o.offer_code) FROM o
                             WHERE c.id = o.customer_id AND NOT (c.services @> ARRAY[o.offer_code]) RETURNING c.id)
             UPDATE orders SET service_added = true WHERE id = $1 AND EXISTS (SELECT 1 FROM added)`, [input.orderId]);
        }
        if (f.deactivated) {
          await tx.query(
            `UPDATE orders SET deactivated_at = COALESCE(deactivated_at, now()) WHERE id = $1`, [input.orderId]);
          await tx.query(
            `WITH o AS (UPDATE orders SET service_added = false WHERE id = $1 AND service_added RETURNING customer_id, offer_code)
             UPDATE customers c SET services = array_remove(c.services, o.offer_code) FROM o WHERE c.id = o.customer_id`, [input.orderId]);
        }
        if (f.followUp?.complaint) {
          await tx.query(
            `INSERT INTO complaints (order_id, campaign_id, reason)
             SELECT id, campaign_id, $2 FROM orders WHERE id = $1 ON CONFLICT (order_id) DO NOTHING`,
            [input.orderId, f.followUp.complaintReason ?? 'not said']);
        }
      });
    },

    /**
     * What the order waits for changed without a move (a booking confirmed, a follow-up waiting for
     * its window, compensation begun): an event of kind 'wait', once per event key, and the order's
     * row says it (db/order/waiting-sql.ts).
     */
    async recordOrderWait(input: { orderId: string; status: OrderStatus; stage: OrderStage; reason: string; eventKey: string } & Waiting): Promise<void> {
      await inTransaction(db, (tx) => recordWait(tx, input));
    },
  };
}
