import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorText } from '../../domain/compliance/numbers';
import { LeverBodySchema, OfferBodySchema, OfferCodeSchema, ScriptBodySchema, ScriptBrandSchema } from '../../domain/hotline/schemas';
import {
  addLever, addScript, allOffers, brandExists, leversOf, offer, putOffer, regionExists, scriptsOf, setScriptActive,
  type LeverRow, type OfferRow, type ScriptRow,
} from '../../db/hotline/offers-sql';
import type { CatalogueCache } from '../../db/hotline/catalogue-sql';
import type { AppDeps } from '../deps';
import { ErrorBody, notFound, ruleBroken, rules } from '../errors';

const Lever = z.object({
  id: z.number(), region: z.string().describe("a region, or '*': every region"), lever: z.number(), effectiveFrom: z.string(), effectiveTo: z.string().nullable(),
  reason: z.string().nullable(), setBy: z.string(), setAt: z.string(),
});
const Script = z.object({ brand: z.string(), version: z.number(), body: z.string(), active: z.boolean(), createdBy: z.string(), createdAt: z.string() });
const Offer = z.object({
  code: z.string(), name: z.string(), price: z.number(), ships: z.array(z.object({ sku: z.string(), qty: z.number() })),
  collect: z.object({ method: z.string(), amount: z.number() }).nullable(), margin: z.number(), eligibility: z.unknown().describe('a segment rule, or null: everyone'),
  channels: z.array(z.string()), kind: z.string(), reasons: z.array(z.string()), active: z.boolean(), version: z.number(),
  inCatalogue: z.boolean().describe('the sales points catalogue has the code: a sale of it earns points'), updatedBy: z.string(), updatedAt: z.string(),
});

const toLever = (l: LeverRow): z.infer<typeof Lever> => ({
  id: Number(l.id), region: l.region, lever: Number(l.lever), effectiveFrom: l.effective_from, effectiveTo: l.effective_to, reason: l.reason,
  setBy: l.set_by, setAt: l.set_at.toISOString(),
});
const toScript = (s: ScriptRow): z.infer<typeof Script> => ({
  brand: s.brand, version: s.version, body: s.body, active: s.active, createdBy: s.created_by, createdAt: s.created_at.toISOString(),
});
const toOffer = (o: OfferRow): z.infer<typeof Offer> => ({
  code: o.code, name: o.name, price: Number(o.price), ships: o.ships, collect: o.collect, margin: Number(o.margin), eligibility: o.eligibility ?? null,
  channels: o.channels, kind: o.kind, reasons: o.reasons, active: o.active, version: o.version, inCatalogue: o.in_catalogue,
  updatedBy: o.updated_by, updatedAt: o.updated_at.toISOString(),
});

const CodeParams = z.strictObject({ code: OfferCodeSchema });

/**
 * Marketing's offers for the next best offer: who may get each (a segment rule), its value, where
 * it can be completed, its levers per region and period, and its scripts per brand, versioned. A
 * change here reaches every API process's recommendations at its next request.
 */
export const offerRoutes = (deps: AppDeps, catalogue: CatalogueCache): FastifyPluginAsyncZod => async (app) => {
  const { db } = deps;
  const found = async (code: string) => {
    const o = await offer(db, code);
    if (!o) throw notFound(`offer '${code}'`);
    return o;
  };

  app.put('/offers/:code', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['hotline'], summary: 'Put an offer by its code (the code its orders carry); a repeat as it is changes nothing',
      params: CodeParams, body: OfferBodySchema,
      response: {
        200: Offer.describe('changed, or found as given'), 201: Offer.describe('made'),
        ...rules("each sku once in ships", 'each channel and reason once', 'eligibility: a rule at most 6 levels deep, with at most 50 factors'),
      },
    },
  }, async (request, reply) => {
    const { created, row } = await putOffer(db, request.params.code, request.body, actorText(request.actor!));
    catalogue.invalidate();
    return reply.status(created ? 201 : 200).send(toOffer(row));
  });

  app.get('/offers', {
    config: { roles: ['marketing', 'agent'] },
    schema: {
      tags: ['hotline'], summary: 'The offers, by code (active ones only with active=true, retired with false)',
      querystring: z.strictObject({ active: z.enum(['true', 'false']).optional() }),
      response: { 200: z.object({ offers: z.array(Offer) }) },
    },
  }, async (request) => {
    const active = request.query.active === undefined ? undefined : request.query.active === 'true';
    return { offers: (await allOffers(db, active)).map(toOffer) };
  });

  app.get('/offers/:code', {
    config: { roles: ['marketing', 'agent'] },
    schema: {
      tags: ['hotline'], summary: 'One offer with its levers and the latest version of each brand\'s script',
      params: CodeParams, response: { 200: Offer.extend({ levers: z.array(Lever), scripts: z.array(Script) }), 404: ErrorBody },
    },
  }, async (request) => {
    const o = await found(request.params.code);
    const [levers, scripts] = await Promise.all([leversOf(db, o.code), scriptsOf(db, o.code)]);
    const latest = new Map(scripts.map((s) => [s.brand, s]));
    return { ...toOffer(o), levers: levers.map(toLever), scripts: [...latest.values()].map(toScript) };
  });

  app.post('/offers/:code/levers', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['hotline'],
      summary: 'Set a business lever for the offer in a region (or every region) for a period: the latest set in force wins',
      params: CodeParams, body: LeverBodySchema,
      response: { 201: Lever, 404: ErrorBody, ...rules('region: one we serve, or *', 'effectiveTo after effectiveFrom') },
    },
  }, async (request, reply) => {
    const { code } = request.params;
    await found(code);
    if (request.body.region !== '*' && !(await regionExists(db, request.body.region))) throw ruleBroken('body.region', `no region '${request.body.region}'`);
    const lever = await addLever(db, code, request.body, actorText(request.actor!));
    catalogue.invalidate();
    return reply.status(201).send(toLever(lever));
  });

  app.post('/offers/:code/scripts', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['hotline'],
      summary: "A new version of the offer's script for a brand (or every brand: '*'); earlier versions stay, the latest active one is used",
      params: CodeParams, body: ScriptBodySchema,
      response: { 201: Script, 404: ErrorBody, ...rules('brand: one of GET /hotline/brands, or *') },
    },
  }, async (request, reply) => {
    const { brand, body } = request.body;
    await found(request.params.code);
    if (brand !== '*' && !(await brandExists(db, brand))) throw ruleBroken('body.brand', `no brand '${brand}'`);
    const script = await addScript(db, request.params.code, brand, body, actorText(request.actor!));
    if (!script) throw notFound(`offer '${request.params.code}'`);
    catalogue.invalidate();
    return reply.status(201).send(toScript(script));
  });

  app.get('/offers/:code/scripts', {
    config: { roles: ['marketing', 'agent'] },
    schema: {
      tags: ['hotline'], summary: "Every version of the offer's scripts, by brand and version",
      params: CodeParams, querystring: z.strictObject({ brand: ScriptBrandSchema.optional() }),
      response: { 200: z.object({ scripts: z.array(Script) }), 404: ErrorBody },
    },
  }, async (request) => {
    await found(request.params.code);
    return { scripts: (await scriptsOf(db, request.params.code, request.query.brand)).map(toScript) };
  });

  app.patch('/offers/:code/scripts/:brand/:version', {
    config: { roles: ['marketing'] },
    schema: {
      tags: ['hotline'], summary: 'Withdraw a script version (active: false) or restore it; its text never changes',
      params: z.strictObject({ code: OfferCodeSchema, brand: ScriptBrandSchema, version: z.coerce.number().int().min(1).max(1_000_000) }),
      body: z.strictObject({ active: z.boolean() }),
      response: { 200: Script, 404: ErrorBody },
    },
  }, async (request) => {
    const { code, brand, version } = request.params;
    const script = await setScriptActive(db, code, brand, version, request.body.active);
    if (!script) throw notFound(`script ${brand} v${version} of offer '${code}'`);
    catalogue.invalidate();
    return toScript(script);
  });
};
