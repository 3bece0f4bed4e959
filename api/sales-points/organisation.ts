import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { text } from '../../domain/text';
import { OUTLET_CHANNELS, PARENT_KIND, type OrgKind } from '../../domain/sales-points/organisation';
import { listOrgUnits, orgUnit, putOrgUnit, type OrgUnitRow } from '../../db/sales-points/organisation-sql';
import type { AppDeps } from '../deps';
import { ErrorBody, conflict, ruleBroken, rules } from '../errors';

export const OrgCode = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes, at most 40');
const CodeParams = z.strictObject({ code: OrgCode });
const Unit = z.object({
  code: z.string(), kind: z.enum(['department', 'area', 'outlet']), name: z.string(), parent: z.string().nullable(),
  channel: z.enum(OUTLET_CHANNELS).nullable().describe('an outlet: own (the operator\'s) or partner'), updatedAt: z.string(),
});
const toUnit = (r: OrgUnitRow): z.infer<typeof Unit> => ({ code: r.code, kind: r.kind, name: r.name, parent: r.parent, channel: r.channel, updatedAt: r.updated_at.toISOString() });

const PLURAL: Record<OrgKind, string> = { department: 'departments', area: 'areas', outlet: 'outlets' };
const PUT_ANSWERS = {
  200: Unit.describe('changed, or found as given'), 201: Unit.describe('made'), 400: ErrorBody,
  409: ErrorBody.describe('the code is a unit of another kind'),
};

/**
 * The organisation: departments (营业部) hold areas (营业区域), areas hold outlets (营业厅), each put
 * by its code (a repeat changes nothing); an admin's to change, finance's (and ops') to read.
 */
export const organisationRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const { db } = deps;

  /** Puts a unit after checking its parent is a unit of the kind above it; answers 201 when made. */
  const put = async (kind: OrgKind, code: string, name: string, parent: string | null, channel: 'own' | 'partner' | null, reply: { status(n: number): unknown }) => {
    const parentKind = PARENT_KIND[kind];
    if (parentKind && parent) {
      const p = await orgUnit(db, parent);
      if (p?.kind !== parentKind) throw ruleBroken(`body.${parentKind}`, `no ${parentKind} '${parent}'`);
    }
    const { outcome, row } = await putOrgUnit(db, { code, kind, name, parent, channel });
    if (outcome === 'other-kind') throw conflict(`'${code}' is ${row.kind === 'area' || row.kind === 'outlet' ? 'an' : 'a'} ${row.kind}`);
    reply.status(outcome === 'created' ? 201 : 200);
    return toUnit(row);
  };

  app.put('/sales-points/departments/:code', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['sales-points'], summary: 'Put a department (营业部) by its code; a repeat changes nothing',
      params: CodeParams, body: z.strictObject({ name: text(1, 200) }), response: PUT_ANSWERS,
    },
  }, async (request, reply) => put('department', request.params.code, request.body.name, null, null, reply));

  app.put('/sales-points/areas/:code', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['sales-points'], summary: 'Put an area (营业区域) of a department by its code; a repeat changes nothing',
      params: CodeParams, body: z.strictObject({ name: text(1, 200), department: OrgCode }),
      response: { ...PUT_ANSWERS, ...rules('department: one we have') },
    },
  }, async (request, reply) => put('area', request.params.code, request.body.name, request.body.department, null, reply));

  app.put('/sales-points/outlets/:code', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['sales-points'], summary: "Put an outlet (营业厅) of an area by its code, the operator's own or a partner's; a repeat changes nothing",
      description: 'Moving an outlet to another area changes the sales recorded from then on; an entry keeps the organisation of its sale.',
      params: CodeParams, body: z.strictObject({ name: text(1, 200), area: OrgCode, channel: z.enum(OUTLET_CHANNELS) }),
      response: { ...PUT_ANSWERS, ...rules('area: one we have') },
    },
  }, async (request, reply) => put('outlet', request.params.code, request.body.name, request.body.area, request.body.channel, reply));

  for (const kind of ['department', 'area', 'outlet'] as const) {
    app.get(`/sales-points/${PLURAL[kind]}`, {
      config: { roles: ['finance'] },
      schema: {
        tags: ['sales-points'], summary: `The ${PLURAL[kind]}, by code`,
        querystring: z.strictObject({
          ...(kind === 'department' ? {} : { department: OrgCode.optional() }),
          ...(kind === 'outlet' ? { area: OrgCode.optional(), channel: z.enum(OUTLET_CHANNELS).optional() } : {}),
        }),
        response: { 200: z.object({ [PLURAL[kind]]: z.array(Unit) }), 400: ErrorBody },
      },
    }, async (request) => {
      const q = request.query as { department?: string; area?: string; channel?: string };
      const rows = await listOrgUnits(db, kind, kind === 'area'
        ? { ...(q.department ? { parent: q.department } : {}) }
        : { ...(q.area ? { parent: q.area } : {}), ...(q.department ? { grandparent: q.department } : {}), ...(q.channel ? { channel: q.channel } : {}) });
      return { [PLURAL[kind]]: rows.map(toUnit) };
    });
  }
};
