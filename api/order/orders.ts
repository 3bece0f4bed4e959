import { z } from 'zod';
import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { OfferSchema, OrderPolicySchema } from '../../domain/campaign/campaign';
import { createChannelOrder } from '../../activities/order/create';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ORDER_STAGES, ORDER_STATUSES } from '../../domain/order/order';
import { SLOT_RULE, SlotSchema } from '../../domain/order/schema';
import { text } from '../../domain/text';
import { SELF_SERVICE_CHANNELS } from '../../domain/hotline/words';
import { orderChannelRefusal } from '../../domain/hotline/access';
import { orderWorkflowId } from '../../domain/order/ids';
import { cancelOrderUpdate, reassignDeliveryUpdate, rescheduleDeliveryUpdate, retryDeliveryUpdate, type OrderView } from '../../workflows/order/messages';
import type { AppDeps } from '../deps';
import { uiLink } from '../temporal-ui';
import { ErrorBody, HttpError, conflict, notFound, refusalOf, ruleBroken, rules } from '../errors';
import { keepAddressCorrection } from '../../db/order/address-corrections-sql';
import { OrderDetail, OrderSummary, iso, toSummary, type OrderRow } from './order-records';

const IdParams = z.strictObject({ id: z.string().min(1).max(200) });
const OrderCreated = z.object({
  id: z.string(), workflowId: z.string(), created: z.boolean(),
  referral: z.object({ recommendationId: z.number(), interactionId: z.number(), agentId: z.string().nullable() }).optional()
    .describe('the hotline referral this order completed (a self-service channel\'s order of an offer an agent sent the customer there for): its agent is credited'),
});
const UpdateAnswer = z.object({ id: z.string(), status: z.string(), stage: z.string(), waitingFor: z.string(), deliveryAttempts: z.number() });

/** Schedulers' resource: find orders, retry a failed delivery, cancel an order. */
export const orderRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const { db, client } = deps;

  const loadOrder = async (id: string) => {
    const { rows } = await db.query<OrderRow>('SELECT * FROM orders WHERE id = $1', [id]);
    if (!rows[0]) throw notFound(`order '${id}'`);
    return rows[0];
  };

  app.get('/orders', {
    config: { roles: ['scheduler'] },
    schema: {
      tags: ['orders'],
      summary: 'Orders, filtered by campaign and status, paged',
      querystring: z.strictObject({
        campaignId: z.string().min(1).max(63).optional(),
        status: z.enum(ORDER_STATUSES).optional(),
        stage: z.enum(ORDER_STAGES).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
      }),
      response: { 200: z.object({ orders: z.array(OrderSummary), total: z.number() }) },
    },
  }, async (request) => {
    const q = request.query;
    const where = `WHERE ($1::text IS NULL OR campaign_id = $1) AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR stage = $3)`;
    const params = [q.campaignId ?? null, q.status ?? null, q.stage ?? null];
    const [page, total] = await Promise.all([
      db.query<OrderRow>(`SELECT * FROM orders ${where} ORDER BY created_at, id LIMIT $4 OFFSET $5`, [...params, q.limit, q.offset]),
      db.query<{ n: string }>(`SELECT count(*) AS n FROM orders ${where}`, params),
    ]);
    return { orders: page.rows.map(toSummary), total: Number(total.rows[0]!.n) };
  });

  app.get('/orders/:id', {
    config: { roles: ['scheduler'] },
    schema: {
      tags: ['orders'],
      summary: 'One order with its state history and what it waits for (from Postgres: the workflow is not asked)',
      params: IdParams,
      response: { 200: OrderDetail, 404: ErrorBody },
    },
  }, async (request) => {
    const order = await loadOrder(request.params.id);
    // The state history: its steps (a change of what the order waits for alone is in order_events too, kind 'wait').
    const { rows: events } = await db.query<{ at: Date; status: string; stage: string; reason: string; waiting_for: string | null }>(
      `SELECT at, status, stage, reason, waiting_for FROM order_events WHERE order_id = $1 AND kind = 'move' ORDER BY id`, [order.id],
    );
    const [deliveries, stock, payments] = await Promise.all([
      db.query<{ id: string; kind: string; courier: string | null; address: string; slot: Date | null; refusal: string | null; outcome: string | null; outcome_at: Date | null; amount_collected: string | null }>(
        'SELECT id, kind, courier, address, slot, refusal, outcome, outcome_at, amount_collected FROM deliveries WHERE order_id = $1 ORDER BY attempt', [order.id]),
      db.query<{ sku: string; qty: number; warehouse: string; state: string }>(
        'SELECT sku, qty, warehouse, state FROM stock_reservations WHERE order_id = $1 ORDER BY sku', [order.id]),
      db.query<{ id: string; kind: string; method: string; amount: string; courier: string | null; at: Date }>(
        'SELECT id, kind, method, amount, courier, at FROM payments WHERE order_id = $1 ORDER BY at, id', [order.id]),
    ]);
    return {
      ...toSummary(order),
      history: events.map((e) => ({ at: e.at.toISOString(), status: e.status, stage: e.stage, reason: e.reason, waitingFor: e.waiting_for })),
      deliveries: deliveries.rows.map((d) => ({
        id: d.id, kind: d.kind, courier: d.courier, address: d.address, slot: iso(d.slot), refusal: d.refusal, outcome: d.outcome, outcomeAt: iso(d.outcome_at),
        amountCollected: d.amount_collected === null ? null : Number(d.amount_collected),
      })),
      stock: stock.rows,
      payments: payments.rows.map((p) => ({ id: p.id, kind: p.kind, method: p.method, amount: Number(p.amount), courier: p.courier, at: p.at.toISOString() })),
      temporalUi: uiLink(deps, orderWorkflowId(order.id)),
    };
  });

  const runUpdate = async (orderId: string, run: () => Promise<OrderView>) => {
    try {
      const v = await run();
      return { id: v.orderId, status: v.status, stage: v.stage, waitingFor: v.waitingFor, deliveryAttempts: v.deliveryAttempts };
    } catch (err) {
      // An update racing the order's close can be aborted by the server rather than refused: a
      // closed order is a 409 whatever the server said.
      if ((err instanceof ServiceError || err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) && await closed(orderId)) throw conflict(`order '${orderId}' is closed`);
      throw refusalOf(err, `order '${orderId}'`);
    }
  };
  const closed = async (orderId: string) => {
    try {
      return (await client.workflow.getHandle(orderWorkflowId(orderId)).describe()).status.name !== 'RUNNING';
    } catch {
      return false;
    }
  };

  app.post('/orders', {
    config: { roles: ['agent', 'scheduler', 'self-service'] },
    schema: {
      tags: ['orders'],
      summary: 'An order from another channel (shop, web, hotline), started once per Idempotency-Key',
      description: 'An order from a self-service channel (`channel`: IVR, SMS hall, app, web hall) completes the customer\'s open hotline referral '
        + 'of the offer to that channel, if any: the referring agent is its seller and credited with its sales entry (docs/hotline.md, "Referrals").',
      headers: z.object({
        'idempotency-key': z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$/, 'letters, digits, _ and -, at most 60'),
      }),
      body: z.strictObject({
        customerId: z.number().int().positive(),
        offer: OfferSchema,
        /** A campaign the sale is credited to (e.g. hotline marketing), if any. */
        campaignId: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/).optional(),
        staffId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, 'a staff id: letters, digits, _ and -, at most 40').optional()
          .describe('The staff member who sold it (a shop\'s or the hotline\'s, an active staff record): the sale is credited to them (docs/sales-points.md)'),
        /** Delivery policy, hold SLA and follow-up; the defaults unless given. */
        orders: OrderPolicySchema.prefault({}),
        channel: z.enum(SELF_SERVICE_CHANNELS).optional()
          .describe('the self-service channel it was ordered in (a self-service system names its own); none: another channel (api)'),
      }),
      response: {
        200: OrderCreated, 201: OrderCreated, 404: ErrorBody.describe('no such customer (or campaign)'), 409: ErrorBody.describe('the Idempotency-Key was used for another order'),
        ...rules("each sku once in an offer's ships", 'orders.holdSla.cancelAfterSeconds later than escalateAfterSeconds', 'staffId: an active staff member',
          'channel: a self-service system names the channel it sells in (its own), no other role but admin names one'),
      },
    },
  }, async (request, reply) => {
    const key = request.headers['idempotency-key'];
    const { customerId, offer, campaignId, staffId, orders: policy, channel } = request.body;
    const claim = orderChannelRefusal(request.actor!, channel);
    if (claim) throw ruleBroken('body.channel', claim);
    const made = await createChannelOrder({ db, client, taskQueue: deps.config.TEMPORAL_TASK_QUEUE, operatorTimeZone: deps.config.OPERATOR_TIME_ZONE }, {
      key, customerId, offer, policy, ...(campaignId ? { campaignId } : {}), ...(staffId ? { staffId } : {}), ...(channel ? { channel } : {}), request: request.body,
    });
    if (made.kind === 'rule') throw ruleBroken(made.path, made.message);
    if (made.kind === 'not-found') throw new HttpError(404, 'not-found', made.message);
    if (made.kind === 'conflict') throw conflict(made.message);
    reply.header('location', `/orders/${made.orderId}`);
    return reply.status(made.created ? 201 : 200).send({
      id: made.orderId, workflowId: made.workflowId, created: made.created, ...(made.referral ? { referral: made.referral } : {}),
    });
  });

  app.post('/orders/:id/delivery/retry', {
    config: { roles: ['scheduler'] },
    schema: {
      tags: ['orders'],
      summary: "A scheduler's decision: deliver a held order again (optionally to a new address or slot)",
      params: IdParams,
      body: z.strictObject({
        address: text(5, 500).optional(),
        /** The region of a new address: the order goes to that region's courier. */
        region: z.string().regex(/^[a-z]{2,8}$/).optional(),
        slot: SlotSchema.optional(),
        /** Another courier than the region's. */
        courier: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/).optional(),
      }).refine((b) => !b.region || b.address, { message: 'a new region comes with the new address', path: ['address'] })
        // the same, for the JSON schema: no region, or an address with it
        .meta({ anyOf: [{ not: { required: ['region'] } }, { required: ['address'] }] })
        .default({}),
      response: { 200: UpdateAnswer, 409: ErrorBody, ...rules(SLOT_RULE, 'region: one a courier delivers to', 'courier: one we have') },
    },
  }, async (request) => {
    const order = await loadOrder(request.params.id);
    const { region, courier } = request.body ?? {};
    if (region && !(await db.query('SELECT 1 FROM region_logistics WHERE region = $1', [region])).rowCount) {
      throw ruleBroken('body.region', `no courier delivers to region '${region}'`);
    }
    if (courier && !(await db.query('SELECT 1 FROM couriers WHERE code = $1', [courier])).rowCount) {
      throw ruleBroken('body.courier', `no courier '${courier}'`);
    }
    // A new address is kept in Postgres and the workflow told its id.
    const { address, ...rest } = request.body ?? {};
    const addressId = address ? await keepAddressCorrection(db, { orderId: order.id, address, ...(region ? { region } : {}), by: request.actor! }) : undefined;
    return runUpdate(order.id, () => client.workflow.getHandle(orderWorkflowId(order.id))
      .executeUpdate(retryDeliveryUpdate, { args: [{ ...rest, ...(addressId ? { addressId } : {}), by: request.actor! }] }));
  });

  app.post('/orders/:id/delivery/reschedule', {
    config: { roles: ['scheduler'] },
    schema: {
      tags: ['orders'],
      summary: 'Move the delivery to another slot: a held order is booked again, a booking under way is cancelled and made again',
      params: IdParams,
      body: z.strictObject({ slot: SlotSchema }),
      response: { 200: UpdateAnswer, 409: ErrorBody, ...rules(SLOT_RULE) },
    },
  }, async (request) => {
    const order = await loadOrder(request.params.id);
    return runUpdate(order.id, () =>
      client.workflow.getHandle(orderWorkflowId(order.id)).executeUpdate(rescheduleDeliveryUpdate, { args: [{ ...request.body, by: request.actor! }] }));
  });

  app.post('/orders/:id/delivery/reassign', {
    config: { roles: ['scheduler'] },
    schema: {
      tags: ['orders'],
      summary: 'Give the delivery to another courier: a held order is booked with it, a booking under way is moved to it',
      params: IdParams,
      body: z.strictObject({ courier: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/) }),
      response: { 200: UpdateAnswer, 409: ErrorBody, ...rules('courier: one we have') },
    },
  }, async (request) => {
    const order = await loadOrder(request.params.id);
    if (!(await db.query('SELECT 1 FROM couriers WHERE code = $1', [request.body.courier])).rowCount) {
      throw ruleBroken('body.courier', `no courier '${request.body.courier}'`);
    }
    return runUpdate(order.id, () =>
      client.workflow.getHandle(orderWorkflowId(order.id)).executeUpdate(reassignDeliveryUpdate, { args: [{ ...request.body, by: request.actor! }] }));
  });

  app.post('/orders/:id/cancel', {
    config: { roles: ['scheduler'] },
    schema: {
      tags: ['orders'],
      summary: 'Cancel an order: before delivery the stock is released; after it the goods are picked up, the money refunded and the service deactivated',
      params: IdParams,
      body: z.strictObject({ reason: text(1, 500) }),
      response: { 200: UpdateAnswer, 404: ErrorBody, 409: ErrorBody },
    },
  }, async (request) => {
    const order = await loadOrder(request.params.id);
    return runUpdate(order.id, () =>
      client.workflow.getHandle(orderWorkflowId(order.id)).executeUpdate(cancelOrderUpdate, { args: [{ ...request.body, by: request.actor! }] }));
  });
};
