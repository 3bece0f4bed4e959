import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorText } from '../../domain/compliance/numbers';
import { text } from '../../domain/text';
import { bandRefusal, isCalendarDay, retiredOn, termInForce } from '../../domain/sales-points/catalogue';
import { dayAt } from '../../domain/sales-points/month';
import { addTerm, allServices, closedMonths, pointsBand, putService, service, serviceTerms, toTerm, type ServiceRow } from '../../db/sales-points/catalogue-sql';
import type { AppDeps } from '../deps';
import { ErrorBody, conflict, notFound, ruleBroken, rules } from '../errors';

const DAY = z.string().regex(/^20\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a day, YYYY-MM-DD');
const ServiceCode = z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'lower-case letters, digits and dashes, 2 to 40 (the code orders and billing carry)');
const Term = z.object({
  effectiveFrom: z.string(), monthlyTariff: z.number(), points: z.number(), requiresUsage: z.boolean().describe('earns only once billing shows usage (热装冷用)'),
  reason: z.string().nullable().describe('why, when the points are outside the band of the tariff'), setBy: z.string(), setAt: z.string(),
});
const Service = z.object({
  code: z.string(), name: z.string(), retiredOn: z.string().nullable().describe('no sale is recorded on or after this day'),
  updatedBy: z.string(), updatedAt: z.string(),
});
const toService = (s: ServiceRow) => ({ code: s.code, name: s.name, retiredOn: s.retired_on, updatedBy: s.updated_by, updatedAt: s.updated_at.toISOString() });

const day = (value: string, path: string) => {
  if (!isCalendarDay(value)) throw ruleBroken(path, `${value} is not a day of the calendar`);
  return value;
};

/**
 * The service catalogue: services put by their code, their terms (tariff, points, usage rule)
 * effective-dated; finance's to change, anyone recording sales may read. Services are added and
 * retired here, without a code change.
 */
export const catalogueRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const { db } = deps;
  const tz = deps.config.OPERATOR_TIME_ZONE;

  app.put('/sales-points/services/:code', {
    config: { roles: ['finance'] },
    schema: {
      tags: ['sales-points'], summary: 'Put a service by its code: its name, and the day it is retired from (none: sold); a repeat changes nothing',
      params: z.strictObject({ code: ServiceCode }),
      body: z.strictObject({ name: text(1, 200), retiredOn: DAY.nullable().default(null) }),
      response: { 200: Service.describe('changed, or found as given'), 201: Service.describe('made'), 400: ErrorBody, ...rules('retiredOn: a day of the calendar') },
    },
  }, async (request, reply) => {
    const { name, retiredOn: retired } = request.body;
    if (retired) day(retired, 'body.retiredOn');
    const { created } = await putService(db, { code: request.params.code, name, retiredOn: retired, by: actorText(request.actor!) });
    return reply.status(created ? 201 : 200).send(toService((await service(db, request.params.code))!));
  });

  app.post('/sales-points/services/:code/terms', {
    config: { roles: ['finance'] },
    schema: {
      tags: ['sales-points'],
      summary: "A service's terms from a day on: tariff, points, whether it earns only once used; the earlier terms stay",
      description: 'Points outside the band of the tariff (sales_points_settings band_low..band_high, 20%-30% by default) need a reason. '
        + 'A day has one set of terms: the same again is a 200, other terms a 409. A day in a closed month is a 409: a closed month never changes.',
      params: z.strictObject({ code: ServiceCode }),
      body: z.strictObject({
        effectiveFrom: DAY.describe('the first day the terms apply to, in the operator\'s time zone'),
        monthlyTariff: z.number().nonnegative().max(100_000).multipleOf(0.01),
        points: z.number().nonnegative().max(100_000).multipleOf(0.01).describe('what a matched sale earns (1 point = 1 yuan unless finance says otherwise)'),
        requiresUsage: z.boolean().default(false),
        reason: text(1, 500).optional(),
      }),
      response: {
        200: Term.describe('the same terms were set for that day already'), 201: Term, 400: ErrorBody,
        404: ErrorBody.describe('no such service'), 409: ErrorBody.describe('other terms are set for that day, or it is in a closed month'),
        ...rules('effectiveFrom: a day of the calendar', 'reason: required when the points are outside the band of the tariff'),
      },
    },
  }, async (request, reply) => {
    const { code } = request.params;
    const b = request.body;
    day(b.effectiveFrom, 'body.effectiveFrom');
    if (!(await service(db, code))) throw notFound(`service '${code}'`);
    const refusal = bandRefusal(b.points, b.monthlyTariff, await pointsBand(db));
    if (refusal && !b.reason) throw ruleBroken('body.reason', refusal);
    // The same terms again are a repeat (200) even in a closed month; new ones there are refused.
    const set = (await serviceTerms(db, code)).find((t) => t.effective_from === b.effectiveFrom);
    if (!set && (await closedMonths(db, [`${b.effectiveFrom.slice(0, 7)}-01`])).size) throw conflict(`${b.effectiveFrom.slice(0, 7)} is closed: its terms never change`);
    const { created, row } = set ? { created: false, row: set } : await addTerm(db, code, { ...b, reason: b.reason ?? null, by: actorText(request.actor!) });
    const term = toTerm(row);
    if (!created && (term.monthlyTariff !== b.monthlyTariff || term.points !== b.points || term.requiresUsage !== b.requiresUsage || term.reason !== (b.reason ?? null))) {
      throw conflict(`${code} has other terms from ${b.effectiveFrom} (set by ${term.setBy}); terms for another day start a change`);
    }
    return reply.status(created ? 201 : 200).send(term);
  });

  app.get('/sales-points/services', {
    config: { roles: ['finance', 'staff', 'agent'] },
    schema: {
      tags: ['sales-points'], summary: 'The services, each with its terms in force on a day (today in the operator\'s time zone unless given)',
      querystring: z.strictObject({ at: DAY.optional() }),
      response: {
        200: z.object({ at: z.string(), services: z.array(Service.extend({ sellable: z.boolean().describe('not retired, and terms in force'), term: Term.nullable() })) }),
        400: ErrorBody, ...rules('at: a day of the calendar'),
      },
    },
  }, async (request) => {
    const at = request.query.at ? day(request.query.at, 'querystring.at') : dayAt(new Date(), tz);
    const [services, terms] = await Promise.all([allServices(db), serviceTerms(db)]);
    return {
      at,
      services: services.map((s) => {
        const term = termInForce(terms.filter((t) => t.service_code === s.code).map(toTerm), at) ?? null;
        return { ...toService(s), sellable: term !== null && !retiredOn(s.retired_on, at), term };
      }),
    };
  });

  app.get('/sales-points/services/:code', {
    config: { roles: ['finance', 'staff', 'agent'] },
    schema: {
      tags: ['sales-points'], summary: 'One service with its whole term history, oldest first, and the terms in force today',
      params: z.strictObject({ code: ServiceCode }),
      response: { 200: Service.extend({ term: Term.nullable(), terms: z.array(Term) }), 404: ErrorBody },
    },
  }, async (request) => {
    const s = await service(db, request.params.code);
    if (!s) throw notFound(`service '${request.params.code}'`);
    const terms = (await serviceTerms(db, s.code)).map(toTerm);
    return { ...toService(s), term: termInForce(terms, dayAt(new Date(), tz)) ?? null, terms };
  });
};
