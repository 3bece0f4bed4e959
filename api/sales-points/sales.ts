import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorText } from '../../domain/compliance/numbers';
import { maskMsisdn } from '../../domain/compliance/masking';
import { IsoDateTimeSchema } from '../../domain/datetime';
import { MonthSchema } from '../../domain/sales-points/month';
import { SALE_CHANNELS, checkSale, defaultSaleChannel, isSaleProblem } from '../../domain/sales-points/entries';
import { catalogueForSales, monthsShut, shutMessage } from '../../db/sales-points/catalogue-sql';
import { entriesByKeys, entryByKey, listEntries, listRefusals, recordSale, type EntryRow } from '../../db/sales-points/entries-sql';
import { staffMember } from '../../db/sales-points/organisation-sql';
import type { AppDeps } from '../deps';
import { ErrorBody, HttpError, conflict, ruleBroken, rules } from '../errors';
import { OrgCode } from './organisation';
import { StaffId } from './staff';
import { shareMonths } from '../../db/sales-points/month-lock';
import { inTransaction } from '../../infra/db';

export const Entry = z.object({
  id: z.string(), month: z.string(), serviceCode: z.string(), msisdn: z.string(), customerId: z.number().nullable(),
  staffId: z.string(), staffName: z.string(), outlet: z.string(), area: z.string(), department: z.string(),
  channel: z.string().describe("the outlet's: own or partner"), saleChannel: z.string().describe('how it was sold: shop, hotline, web, field, outbound, api, followup'),
  source: z.enum(['order', 'staff', 'csv']), orderId: z.string().nullable(), campaignId: z.string().nullable(),
  soldAt: z.string(), recordedBy: z.string(), recordedAt: z.string(),
});
export const toEntry = (r: EntryRow, mask = false): z.infer<typeof Entry> => ({
  id: r.id, month: r.month, serviceCode: r.service_code, msisdn: mask ? maskMsisdn(r.msisdn) : r.msisdn, customerId: r.customer_id === null ? null : Number(r.customer_id),
  staffId: r.staff_id, staffName: r.staff_name, outlet: r.outlet, area: r.area, department: r.department, channel: r.channel, saleChannel: r.sale_channel,
  source: r.source as 'order' | 'staff' | 'csv', orderId: r.order_id, campaignId: r.campaign_id, soldAt: r.sold_at.toISOString(),
  recordedBy: r.recorded_by, recordedAt: r.recorded_at.toISOString(),
});

/** Whose sale came first: what a refused second sale is told. */
export const FirstEntry = z.object({ id: z.string(), staffId: z.string(), staffName: z.string(), outlet: z.string(), soldAt: z.string(), source: z.string() });
export const firstEntry = (r: EntryRow) => ({ id: r.id, staffId: r.staff_id, staffName: r.staff_name, outlet: r.outlet, soldAt: r.sold_at.toISOString(), source: r.source });
export const oneEntryRule = (r: EntryRow) =>
  `one entry per customer per service per month: ${r.service_code} for this number in ${r.month} was recorded by ${r.staff_id} (${r.staff_name}), outlet ${r.outlet}, sold at ${r.sold_at.toISOString()}`;

/** A write the closed-month trigger refused (a month closed between our look and the insert). */
export const isClosedMonth = (err: unknown) => (err as { code?: string }).code === '23514' && /sales points month .* is closed/.test((err as Error).message);

/** A page of a list: how many, from where. */
const PAGE = {
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
};

/** Staff and agents read their own rows only; finance whoever it names (or everyone). */
const ownStaffId = (actor: { sub: string; role: string }, asked: string | undefined): string | undefined =>
  (actor.role === 'staff' || actor.role === 'agent' ? actor.sub : asked);

/** Sales recorded by the staff who made them (POST /sales), and read back (GET /sales): their own, or everyone's for finance. */
export const salesRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const { db } = deps;
  const tz = deps.config.OPERATOR_TIME_ZONE;

  app.post('/sales', {
    config: { roles: ['staff', 'agent'] },
    schema: {
      tags: ['sales-points'],
      summary: 'Record a sale made elsewhere, credited to the caller (an admin names the staff member); one entry per number, service and month',
      description: 'The seller is the token\'s sub (a staff id); their outlet, area, department and channel as of now go on the entry. The month is soldAt\'s in '
        + 'the operator\'s time zone. A second sale of the number and service in the month is a 409 naming the first entry\'s owner. '
        + 'With an Idempotency-Key, a retried request answers the entry it made (200); the same key with another request is a 409.',
      headers: z.object({ 'idempotency-key': z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$/, 'letters, digits, _ and -, at most 60').optional() }),
      body: z.strictObject({
        serviceCode: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'a service code of the catalogue'),
        msisdn: z.string().min(1).max(40).describe('the customer\'s number: 11 digits starting with 1 (spaces, dashes and +86 are taken off)'),
        soldAt: IsoDateTimeSchema.optional().describe('when it was sold (now unless given); not in the future, not in a month whose run has begun'),
        customerId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
        saleChannel: z.enum(SALE_CHANNELS).optional().describe('shop for staff, hotline for agents unless given'),
        staffId: StaffId.optional().describe('an admin only: whose sale it is'),
      }),
      response: {
        200: Entry.describe('the entry this Idempotency-Key made before'), 201: Entry, 400: ErrorBody,
        409: ErrorBody.extend({ firstEntry: FirstEntry.optional() }).describe('a second sale of the number and service in the month (firstEntry: whose), the month is closed, or the Idempotency-Key was used for another request'),
        ...rules('the seller: an active staff member (the token\'s sub, or staffId for an admin)', 'msisdn: a mobile number',
          'serviceCode: a service not retired on the sale\'s day, with terms in force that day', 'soldAt: not in the future', 'customerId: a customer we have'),
      },
    },
  }, async (request, reply) => {
    const actor = request.actor!;
    const b = request.body;
    const key = request.headers['idempotency-key'];
    const recordedBy = actorText(actor);
    const hash = createHash('sha256').update(JSON.stringify(b)).digest('hex');
    if (key) {
      const earlier = await entryByKey(db, recordedBy, key);
      if (earlier && earlier.request_hash === hash) return reply.status(200).send(toEntry(earlier));
      if (earlier) throw conflict(`idempotency key '${key}' was used for another sale (entry ${earlier.id})`);
    }
    if (b.staffId && actor.role !== 'admin' && b.staffId !== actor.sub) throw ruleBroken('body.staffId', `${actor.sub} records their own sales only`);
    const staffId = b.staffId ?? actor.sub;
    const staffPath = b.staffId ? 'body.staffId' : 'token.sub';
    const [staff, catalogue] = await Promise.all([staffMember(db, staffId), catalogueForSales(db, [b.serviceCode])]);
    const sale = checkSale({ serviceCode: b.serviceCode, msisdn: b.msisdn, soldAt: b.soldAt ? new Date(b.soldAt) : new Date(), staffId },
      { staff, service: catalogue.get(b.serviceCode), now: new Date(), timeZone: tz });
    if (isSaleProblem(sale)) throw ruleBroken(sale.field === 'staffId' ? staffPath : `body.${sale.field}`, sale.message);
    if (b.customerId && !(await db.query('SELECT 1 FROM customers WHERE id = $1 AND erased_at IS NULL', [b.customerId])).rowCount) {
      throw ruleBroken('body.customerId', `no customer ${b.customerId}`);
    }
    // The customer the number is, when the caller names none and we have them.
    const known = b.customerId ? undefined : (await db.query<{ id: string }>(
      'SELECT id FROM customers WHERE msisdn = $1 AND erased_at IS NULL ORDER BY id LIMIT 1', [sale.msisdn])).rows[0];
    const customerId = b.customerId ?? (known ? Number(known.id) : null);
    let row: EntryRow | undefined;
    try {
      // The cut-off checked under the month's lock, shared (db/sales-points/month-lock.ts): the run's
      // start waits for this sale, or this sale sees the run begun.
      row = await inTransaction(db, async (tx) => {
        await shareMonths(tx, [sale.month]);
        const shut = (await monthsShut(tx, [`${sale.month}-01`])).get(sale.month);
        if (shut) throw conflict(shutMessage(sale.month, shut));
        return recordSale(tx, {
          ...sale, customerId, saleChannel: b.saleChannel ?? defaultSaleChannel(actor.role), source: 'staff', recordedBy,
          ...(key ? { idempotencyKey: key, requestHash: hash } : {}),
        });
      });
    } catch (err) {
      if (isClosedMonth(err)) throw conflict(`the month ${sale.month} is closed: no sale is recorded in it`);
      throw err;
    }
    if (row) return reply.status(201).header('location', `/sales?staffId=${row.staff_id}&month=${row.month}`).send(toEntry(row));
    // Held back by a unique rule: the same request a moment ago (its key), or the one-entry rule.
    if (key) {
      const mine = await entryByKey(db, recordedBy, key);
      if (mine?.request_hash === hash) return reply.status(200).send(toEntry(mine));
      if (mine) throw conflict(`idempotency key '${key}' was used for another sale (entry ${mine.id})`);
    }
    const first = (await entriesByKeys(db, [sale])).get(`${sale.msisdn}/${sale.serviceCode}/${sale.month}`);
    if (!first) throw new HttpError(503, 'unavailable', 'the sale could not be recorded now; retry');
    return reply.status(409).send({ error: 'conflict', message: oneEntryRule(first), firstEntry: firstEntry(first) });
  });

  app.get('/sales', {
    config: { roles: ['staff', 'agent', 'finance'] },
    schema: {
      tags: ['sales-points'],
      summary: 'Sales entries, newest first, filtered and paged (numbers masked); staff and agents see their own only',
      querystring: z.strictObject({
        month: MonthSchema.optional(), staffId: StaffId.optional(), outlet: OrgCode.optional(), area: OrgCode.optional(), department: OrgCode.optional(),
        serviceCode: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/).optional(), source: z.enum(['order', 'staff', 'csv']).optional(),
        ...PAGE,
      }),
      response: { 200: z.object({ entries: z.array(Entry), total: z.number() }), 400: ErrorBody },
    },
  }, async (request) => {
    const q = request.query;
    const staffId = ownStaffId(request.actor!, q.staffId);
    const { rows, total } = await listEntries(db, {
      ...(q.month ? { month: q.month } : {}), ...(staffId ? { staffId } : {}),
      ...(q.outlet ? { outlet: q.outlet } : {}), ...(q.area ? { area: q.area } : {}), ...(q.department ? { department: q.department } : {}),
      ...(q.serviceCode ? { serviceCode: q.serviceCode } : {}), ...(q.source ? { source: q.source } : {}), limit: q.limit, offset: q.offset,
    });
    return { entries: rows.map((r) => toEntry(r, true)), total };
  });

  app.get('/sales/refusals', {
    config: { roles: ['staff', 'agent', 'finance'] },
    schema: {
      tags: ['sales-points'],
      summary: 'Orders whose sale the one-entry rule refused (their seller earns nothing from them), with the reason and whose entry came first; '
        + 'staff and agents see their own only',
      querystring: z.strictObject({
        month: MonthSchema.optional(), staffId: StaffId.optional(),
        ...PAGE,
      }),
      response: { 200: z.object({ refusals: z.array(Refusal), total: z.number() }), 400: ErrorBody },
    },
  }, async (request) => {
    const q = request.query;
    const staffId = ownStaffId(request.actor!, q.staffId);
    const { rows, total } = await listRefusals(db, { ...(q.month ? { month: q.month } : {}), ...(staffId ? { staffId } : {}), limit: q.limit, offset: q.offset });
    return {
      refusals: rows.map((r) => ({
        orderId: r.order_id, month: r.month, serviceCode: r.service_code, staffId: r.staff_id,
        reason: oneEntryRule(r.first), firstEntry: firstEntry(r.first), at: r.at.toISOString(),
      })),
      total,
    };
  });
};

const Refusal = z.object({
  orderId: z.string(), month: z.string(), serviceCode: z.string(), staffId: z.string().describe('the seller the order named, who earns nothing from it'),
  reason: z.string(), firstEntry: FirstEntry.describe('the entry of the number, service and month that came first'), at: z.string(),
});
