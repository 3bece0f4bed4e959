import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type pg from 'pg';
import type { Db } from '../../infra/db';
import { inTransaction } from '../../infra/db';
import type { OfferInput, OrderPolicy } from '../../domain/campaign/campaign';
import { apiOrderId, followOnOrderId, orderIdFor, orderWorkflowId } from '../../domain/order/ids';
import { WAITING } from '../../domain/order/waiting';
import { CampaignIdKey, OrderStatusKey, RegionKey } from '../../workflows/search-attributes';
import { recordOrderSale } from '../../db/sales-points/entries-sql';
import { isSelfServiceChannel } from '../../domain/hotline/words';
import { claimReferral, completeReferral, referralOfOrder, type ReferralRow } from '../../db/hotline/referrals-sql';
import { referralCompleted } from '../hotline/interactions';
import type { OrderChannel, OrderWorkflowInput } from '../../workflows/order/messages';

// How an order comes to be, as plain functions taking their dependencies: the API's POST /orders,
// the campaign's and the follow-up's activities (orders.ts), and a schedule or rule later, all alike.

/** An order no campaign lead made: a sale from another channel, or one made on a follow-up call. */
export interface NewOrder {
  orderId: string;
  channel: Exclude<OrderChannel, 'outbound'>;
  customerId: number;
  offer: OfferInput;
  policy: OrderPolicy;
  campaignId?: string;
  parentOrderId?: string;
  /** The staff member who sold it (a shop's, the hotline's): credited with its sales entry. */
  staffId?: string;
  /** The agent who sold it on a call (a hotline order): the reports' seller, and credited when a staff record carries the id. */
  agentId?: string;
  /** The caller's key and a hash of its request: the same key with another request is refused. */
  idempotencyKey?: string;
  requestHash?: string;
  /** Said in the first state-history entry. */
  reason: string;
}

/**
 * An order made, or refused: an unknown customer, campaign, lead or parent order ('not-found'), or
 * an idempotency key already used for another request ('conflict'). The caller says it its way: a
 * 404 or 409 from the API, a non-retryable failure from an activity.
 */
export type CreatedOrder =
  | { kind: 'created'; orderId: string; workflowId: string; created: boolean; referral?: CreditedReferral }
  | { kind: 'not-found'; message: string }
  | { kind: 'conflict'; message: string }
  | { kind: 'rule'; path: string; message: string };

/** The hotline referral an order from a self-service channel completed: its agent is the order's seller. */
export interface CreditedReferral {
  recommendationId: number;
  interactionId: number;
  agentId: string | null;
}

export interface OrderDeps {
  db: Db;
  client: Client;
  taskQueue: string;
  /**
   * The operator's time zone (OPERATOR_TIME_ZONE): an order's sales entry counts in its month there.
   * Without it (tests and benches of orders alone) an order makes no sales entry.
   */
  operatorTimeZone?: string;
}

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
      staticSummary: `${args.offer.name} for customer ${args.customerId ?? '?'} (${args.region})`,
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
 *
 * An order in a self-service channel completes the customer's open hotline referral of the offer
 * to that channel, if any (docs/hotline.md, "Referrals"), in the same transaction: the referring
 * agent is the order's seller (its sales entry credits them, sale channel the self-service one),
 * the referral is completed by this order and counted as an acceptance. Only the order that is
 * written does so: the same order again credits nothing twice. The interaction's workflow is told
 * after the order's start (and again on a repeat).
 */
export async function createOrder(deps: OrderDeps, o: NewOrder): Promise<CreatedOrder> {
  const written = await inTransaction(deps.db, (tx) => writeOrder(tx, deps.operatorTimeZone, o));
  return startWrittenOrder(deps, o, written);
}

/** What writeOrder found or wrote under the order's id (or key): no row, the customer is gone. */
export interface WrittenOrder {
  row: { id: string; region: string; request_hash: string | null; customer_id: string } | undefined;
  created: boolean;
  referral: ReferralRow | undefined;
}

/**
 * createOrder's database part, in the caller's transaction (so a caller can write the order with
 * what it records of it, all or nothing): the row, its first history entry, its sales entry, the
 * referral it completes. The workflow is started after the commit (startWrittenOrder).
 */
export async function writeOrder(tx: pg.PoolClient, operatorTimeZone: string | undefined, o: NewOrder): Promise<WrittenOrder> {
  const claimed = isSelfServiceChannel(o.channel) ? await claimReferral(tx, { customerId: o.customerId, offerCode: o.offer.code, channel: o.channel }) : undefined;
  const agentId = o.agentId ?? claimed?.agent_id ?? null;
  const inserted = await tx.query(
    `INSERT INTO orders (id, campaign_id, customer_id, region, offer_code, status, stage, address, channel, parent_order_id, idempotency_key, request_hash,
                         monthly_price, waiting_for, waiting_since, staff_id, agent_id)
     SELECT $1, $2, c.id, c.region, $4, 'acknowledged', 'delivery', c.address, $5, $6, $7, $8, $9, $10, now(), $11, $12 FROM customers c WHERE c.id = $3 AND c.erased_at IS NULL
     FOR SHARE OF c -- an erasure under way is waited for, and then seen (no order for an erased customer)
     ON CONFLICT DO NOTHING`,
    [o.orderId, o.campaignId ?? null, o.customerId, o.offer.code, o.channel, o.parentOrderId ?? null, o.idempotencyKey ?? null, o.requestHash ?? null,
      o.offer.price, WAITING.start, o.staffId ?? null, agentId]);
  let referral: ReferralRow | undefined;
  if (inserted.rowCount) {
    if (claimed) {
      await completeReferral(tx, claimed, o.orderId);
      referral = claimed;
    }
    await tx.query(
      `INSERT INTO order_events (order_id, status, stage, reason, event_key, waiting_for, waiting_since)
       VALUES ($1, 'acknowledged', 'delivery', $2, 'acknowledged', $3, now())
       ON CONFLICT DO NOTHING`, [o.orderId, o.reason, WAITING.start]);
    // The seller's sales entry, with the order or not at all (it never fails the order).
    if (operatorTimeZone) await recordOrderSale(tx, o.orderId, operatorTimeZone);
  }
  const { rows } = await tx.query<{ id: string; region: string; request_hash: string | null; customer_id: string }>(
    `SELECT o.id, o.region, o.request_hash, o.customer_id FROM orders o JOIN customers c ON c.id = o.customer_id
      WHERE o.id = $1 OR ($2::text IS NOT NULL AND o.idempotency_key = $2)`, [o.orderId, o.idempotencyKey ?? null]);
  if (!inserted.rowCount && isSelfServiceChannel(o.channel)) referral = await referralOfOrder(tx, o.orderId);
  return { row: rows[0], created: inserted.rowCount === 1, referral };
}

/**
 * createOrder's second part, after the commit: the order's workflow started (again, on a repeat:
 * the start is idempotent) and the completed referral's interaction told.
 */
export async function startWrittenOrder(deps: OrderDeps, o: NewOrder, row: WrittenOrder): Promise<CreatedOrder> {
  // Erased since it was looked up: a conflict (409), as the API has always answered it.
  if (!row.row) return { kind: 'conflict', message: `customer ${o.customerId} not found` };
  if (row.row.id !== o.orderId || (o.requestHash && row.row.request_hash !== o.requestHash)) {
    return { kind: 'conflict', message: `idempotency key '${o.idempotencyKey}' was used for another order request` };
  }
  const args: OrderWorkflowInput = {
    orderId: o.orderId, channel: o.channel, region: row.row.region, offer: o.offer, customerId: o.customerId, policy: o.policy,
    ...(o.campaignId ? { campaignId: o.campaignId } : {}), ...(o.parentOrderId ? { parentOrderId: o.parentOrderId } : {}),
  };
  const origin = o.channel === 'followup' ? `Sold on the follow-up call of order **${o.parentOrderId}**.`
    : o.channel === 'api' ? `Order from another channel (idempotency key ${o.idempotencyKey}).`
    : `Order from the ${o.channel === 'hotline' ? 'hotline' : `${o.channel} channel`} (idempotency key ${o.idempotencyKey}).`;
  const referral = row.referral;
  const workflowId = await startOrderWorkflow(deps.client, deps.taskQueue, args,
    referral ? `${origin} Completes hotline referral ${referral.recommendation_id} of interaction ${referral.interaction_id}${referral.agent_id ? `, credited to agent ${referral.agent_id}` : ''}.` : origin);
  if (referral) await referralCompleted(deps.client, referral, o.orderId);
  return {
    kind: 'created', orderId: o.orderId, workflowId, created: row.created,
    ...(referral ? { referral: { recommendationId: Number(referral.recommendation_id), interactionId: Number(referral.interaction_id), agentId: referral.agent_id } } : {}),
  };
}

/**
 * Turns an accepted lead into an order: the row first, then the workflow. Both are keyed by the
 * (campaign, lead) order id, and a start that finds the workflow running reuses it, so however
 * often this runs there is one order.
 */
export async function createLeadOrder(
  deps: OrderDeps, input: { campaignId: string; leadId: number; offer: OfferInput; policy: OrderPolicy },
): Promise<CreatedOrder> {
  const orderId = orderIdFor(input.campaignId, input.leadId);
  const order = await inTransaction(deps.db, async (tx) => {
    const inserted = await tx.query(
      // The agent is the one who took the accepted call (the reports' sales per agent).
      `INSERT INTO orders (id, campaign_id, lead_id, customer_id, region, offer_code, status, stage, address, monthly_price, agent_id, waiting_for, waiting_since)
       SELECT $1, l.campaign_id, l.id, l.customer_id, l.region, $3, 'acknowledged', 'delivery', c.address, $5::numeric,
              (SELECT a.agent_id FROM call_attempts a WHERE a.campaign_id = l.campaign_id AND a.lead_id = l.id AND a.purpose = 'sales'
                  AND a.disposition = 'accepted' ORDER BY a.started_at DESC LIMIT 1),
              $6, now()
         FROM leads l JOIN customers c ON c.id = l.customer_id
        WHERE l.id = $2 AND l.campaign_id = $4 AND c.erased_at IS NULL
       FOR SHARE OF c -- an erasure under way is waited for, and then seen: an erased customer gets no order
       ON CONFLICT (id) DO NOTHING`,
      [orderId, input.leadId, input.offer.code, input.campaignId, input.offer.price, WAITING.start],
    );
    const { rows } = await tx.query<{ region: string; customer_id: string }>(
      `SELECT o.region, o.customer_id FROM orders o JOIN leads l ON l.id = o.lead_id WHERE o.id = $1`,
      [orderId],
    );
    // No lead (erased meanwhile, say): no order, and nothing for its history to refer to.
    if (!rows[0]) return undefined;
    // The agent's sales entry when a staff record carries the agent's id (it never fails the order).
    if (inserted.rowCount && deps.operatorTimeZone) await recordOrderSale(tx, orderId, deps.operatorTimeZone);
    await tx.query(
      `INSERT INTO order_events (order_id, status, stage, reason, event_key, waiting_for, waiting_since)
       VALUES ($1, 'acknowledged', 'delivery', 'customer accepted the offer on the phone', 'acknowledged', $2, now())
       ON CONFLICT DO NOTHING`,
      [orderId, WAITING.start],
    );
    return { ...rows[0], created: inserted.rowCount === 1 };
  });
  if (!order) return { kind: 'not-found', message: `lead ${input.leadId} not found in ${input.campaignId}` };

  const args: OrderWorkflowInput = {
    orderId, campaignId: input.campaignId, leadId: input.leadId, region: order.region,
    offer: input.offer, customerId: Number(order.customer_id), policy: input.policy,
  };
  const workflowId = await startOrderWorkflow(deps.client, deps.taskQueue, args, `Order from campaign **${input.campaignId}**, lead ${input.leadId}.`);
  return { kind: 'created', orderId, workflowId, created: order.created };
}

/**
 * The follow-up call sold again: a new order for the same customer, linked to this one
 * ('<order>-r1'), started once however often this runs.
 */
export async function createFollowOnOrder(
  deps: OrderDeps, input: { parentOrderId: string; offer: OfferInput; policy: OrderPolicy },
): Promise<CreatedOrder> {
  // The follow-on order's own follow-up keeps to the parent's campaign's window unless its policy names one.
  const { rows: [parent] } = await deps.db.query<{ customer_id: string; window: OrderPolicy['followUpWindow'] | null }>(
    `SELECT o.customer_id, k.definition->'window' AS window FROM orders o LEFT JOIN campaigns k ON k.id = o.campaign_id WHERE o.id = $1`,
    [input.parentOrderId]);
  if (!parent) return { kind: 'not-found', message: `order ${input.parentOrderId} not found` };
  const { followUpOffer: _none, ...own } = input.policy;
  const policy = own.followUpWindow || !parent.window ? own : { ...own, followUpWindow: parent.window };
  return createOrder(deps, {
    orderId: followOnOrderId(input.parentOrderId), channel: 'followup', customerId: Number(parent.customer_id),
    offer: input.offer, policy, parentOrderId: input.parentOrderId,
    reason: `customer accepted ${input.offer.name} on the follow-up call of order ${input.parentOrderId}`,
  });
}

/**
 * An order from another channel (shop, web, hotline), named by the caller's Idempotency-Key: the
 * same key with the same request is the same order, with another request a conflict.
 */
export async function createChannelOrder(deps: OrderDeps, input: {
  key: string;
  customerId: number;
  offer: OfferInput;
  policy: OrderPolicy;
  campaignId?: string;
  /** The staff member who sold it (POST /orders staffId): must be an active staff record. */
  staffId?: string;
  /** Where it was sold: another channel (api, the default), the hotline or a self-service channel (a recommendation accepted). */
  channel?: Exclude<OrderChannel, 'outbound' | 'followup'>;
  /** The hotline agent who sold it on the call. */
  agentId?: string;
  /** The request as the caller sent it: its hash tells a repeat from another request under the same key. */
  request: unknown;
}): Promise<CreatedOrder> {
  const { db } = deps;
  const { key, customerId, offer, policy, campaignId, staffId, agentId } = input;
  // A repeat of an order made already is answered as before, whatever became of its seller since.
  if (staffId && !(await db.query('SELECT 1 FROM staff WHERE id = $1 AND active', [staffId])).rowCount
    && !(await db.query('SELECT 1 FROM orders WHERE idempotency_key = $1', [key])).rowCount) {
    return { kind: 'rule', path: 'body.staffId', message: `no active staff member '${staffId}'` };
  }
  if (campaignId && !(await db.query('SELECT 1 FROM campaigns WHERE id = $1', [campaignId])).rowCount) {
    return { kind: 'not-found', message: `campaign '${campaignId}' not found` };
  }
  if (!(await db.query('SELECT 1 FROM customers WHERE id = $1 AND erased_at IS NULL', [customerId])).rowCount) {
    return { kind: 'not-found', message: `customer ${customerId} not found` };
  }
  return createOrder(deps, {
    orderId: apiOrderId(key), channel: input.channel ?? 'api', customerId, offer, policy,
    ...(campaignId ? { campaignId } : {}), ...(staffId ? { staffId } : {}), ...(agentId ? { agentId } : {}),
    idempotencyKey: key, requestHash: createHash('sha256').update(JSON.stringify(input.request)).digest('hex'),
    reason: `order taken ${!input.channel || input.channel === 'api' ? 'in another channel' : input.channel === 'hotline' ? 'on the hotline' : `in the ${input.channel} channel`} (Idempotency-Key ${key})`,
  });
}
