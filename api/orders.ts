import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ORDER_STAGES, ORDER_STATUSES } from '../domain/order';
import { orderWorkflowId } from '../domain/ids';
import { cancelOrderUpdate, orderQuery, retryDeliveryUpdate, type OrderView } from '../workflows/order';
import type { AppDeps } from './app';
import { uiLink } from './campaigns';
import { badRequest, notFound, refusalOf } from './errors';

interface OrderRow {
  id: string;
  campaign_id: string;
  lead_id: string;
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
  escalated_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const toSummary = (o: OrderRow) => ({
  id: o.id, campaignId: o.campaign_id, region: o.region, offerCode: o.offer_code, status: o.status, stage: o.stage,
  deliveryAttempts: o.delivery_attempts, deliveredAt: iso(o.delivered_at), activatedAt: iso(o.activated_at),
  activationRef: o.activation_ref, followUp: o.followup_result
    ? { result: o.followup_result, satisfaction: o.satisfaction, complaint: o.complaint }
    : null,
  escalatedAt: iso(o.escalated_at),
  createdAt: o.created_at.toISOString(), updatedAt: o.updated_at.toISOString(),
});

const OrderSummary = z.object({
  id: z.string(), campaignId: z.string(), region: z.string(), offerCode: z.string(), status: z.string(), stage: z.string(),
  deliveryAttempts: z.number(), deliveredAt: z.string().nullable(), activatedAt: z.string().nullable(),
  activationRef: z.string().nullable(),
  followUp: z.object({ result: z.string(), satisfaction: z.number().nullable(), complaint: z.boolean().nullable() }).nullable(),
  /** Set while the order is held past its SLA without a scheduler's decision. */
  escalatedAt: z.string().nullable(),
  createdAt: z.string(), updatedAt: z.string(),
});
const OrderDetail = OrderSummary.extend({
  history: z.array(z.object({ at: z.string(), status: z.string(), stage: z.string(), reason: z.string() })),
  waitingFor: z.string().nullable(),
  temporalUi: z.string(),
});
const IdParams = z.strictObject({ id: z.string().min(1).max(200) });
const ErrorBody = z.object({ error: z.string(), message: z.string() }).passthrough();
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
    schema: {
      tags: ['orders'],
      summary: 'One order with its state history and what it waits for',
      params: IdParams,
      response: { 200: OrderDetail, 404: ErrorBody },
    },
  }, async (request) => {
    const order = await loadOrder(request.params.id);
    const { rows: events } = await db.query<{ at: Date; status: string; stage: string; reason: string }>(
      'SELECT at, status, stage, reason FROM order_events WHERE order_id = $1 ORDER BY id', [order.id],
    );
    let waitingFor: string | null = null;
    try {
      const live: OrderView = await client.workflow.getHandle(orderWorkflowId(order.id)).query(orderQuery);
      waitingFor = live.waitingFor;
    } catch {
      // the workflow is gone from the server (retention) or not reachable: the record still answers
    }
    return {
      ...toSummary(order),
      history: events.map((e) => ({ at: e.at.toISOString(), status: e.status, stage: e.stage, reason: e.reason })),
      waitingFor,
      temporalUi: uiLink(deps, orderWorkflowId(order.id)),
    };
  });

  const runUpdate = async (orderId: string, run: () => Promise<OrderView>) => {
    try {
      const v = await run();
      return { id: v.orderId, status: v.status, stage: v.stage, waitingFor: v.waitingFor, deliveryAttempts: v.deliveryAttempts };
    } catch (err) {
      throw refusalOf(err, `order '${orderId}'`);
    }
  };

  app.post('/orders/:id/delivery/retry', {
    schema: {
      tags: ['orders'],
      summary: "A scheduler's decision: deliver a held order again (optionally to a new address or slot)",
      params: IdParams,
      body: z.strictObject({
        address: z.string().trim().min(5).max(500).optional(),
        /** The region of a new address: the order goes to that region's courier. */
        region: z.string().regex(/^[a-z]{2,8}$/).optional(),
        slot: z.iso.datetime({ offset: true }).optional(),
        /** Another courier than the region's. */
        courier: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/).optional(),
      }).refine((b) => !b.region || b.address, { message: 'a new region comes with the new address', path: ['address'] }).default({}),
      response: { 200: UpdateAnswer, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
    },
  }, async (request) => {
    const order = await loadOrder(request.params.id);
    const { region, courier } = request.body ?? {};
    if (region && !(await db.query('SELECT 1 FROM region_logistics WHERE region = $1', [region])).rowCount) {
      throw badRequest('body.region', `no courier delivers to region '${region}'`);
    }
    if (courier && !(await db.query('SELECT 1 FROM couriers WHERE code = $1', [courier])).rowCount) {
      throw badRequest('body.courier', `no courier '${courier}'`);
    }
    return runUpdate(order.id, () =>
      client.workflow.getHandle(orderWorkflowId(order.id)).executeUpdate(retryDeliveryUpdate, { args: [request.body ?? {}] }));
  });

  app.post('/orders/:id/cancel', {
    schema: {
      tags: ['orders'],
      summary: 'Cancel an order: before delivery the stock is released; after it the goods are picked up, the money refunded and the service deactivated',
      params: IdParams,
      body: z.strictObject({ reason: z.string().trim().min(1).max(500) }),
      response: { 200: UpdateAnswer, 404: ErrorBody, 409: ErrorBody },
    },
  }, async (request) => {
    const order = await loadOrder(request.params.id);
    return runUpdate(order.id, () =>
      client.workflow.getHandle(orderWorkflowId(order.id)).executeUpdate(cancelOrderUpdate, { args: [request.body] }));
  });
};
