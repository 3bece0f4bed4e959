import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actorText } from '../../domain/compliance/numbers';
import { text } from '../../domain/text';
import { OUTLET_CHANNELS, STAFF_CSV_OPTIONAL, STAFF_CSV_REQUIRED, checkStaffRecords, staffHeaderProblem } from '../../domain/sales-points/organisation';
import { addOrgUnits, allOrgUnits, listStaff, orgUnit, putStaff, staffMember, type StaffListRow } from '../../db/sales-points/organisation-sql';
import { inTransaction } from '../../infra/db';
import type { AppDeps } from '../deps';
import { ErrorBody, notFound, ruleBroken, rules } from '../errors';
import { CSV_ANSWERS, SALES_CSV_LIMIT, badLines, csvBody, readCsv } from './csv';
import { OrgCode } from './organisation';

export const StaffId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, 'a staff id (工号): letters, digits, _ and -, at most 40');
const Staff = z.object({
  id: z.string(), name: z.string(), outlet: z.string(), area: z.string(), department: z.string(), channel: z.enum(OUTLET_CHANNELS),
  bankAccountRef: z.string().nullable().describe('the account the payout goes to, as the bank file names it'), active: z.boolean(),
  updatedBy: z.string(), updatedAt: z.string(),
});
const toStaff = (r: StaffListRow): z.infer<typeof Staff> => ({
  id: r.id, name: r.name, outlet: r.outlet, area: r.area, department: r.department, channel: r.channel, bankAccountRef: r.bank_account_ref,
  active: r.active, updatedBy: r.updated_by, updatedAt: r.updated_at.toISOString(),
});
const STAFF_HEADER = [...STAFF_CSV_REQUIRED, ...STAFF_CSV_OPTIONAL].join(',');

/** Staff (营业员): put one by their staff id, or load a file of them; an admin's to change, finance's to read. */
export const staffRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  const { db } = deps;

  app.put('/sales-points/staff/:id', {
    config: { roles: ['admin'] },
    schema: {
      tags: ['sales-points'],
      summary: 'Put a staff member by their staff id: name, outlet, bank account reference, active; a repeat changes nothing',
      params: z.strictObject({ id: StaffId }),
      body: z.strictObject({
        name: text(1, 200), outlet: OrgCode, bankAccountRef: text(1, 100).nullable().default(null),
        active: z.boolean().default(true).describe('an inactive staff member records no sales (and their entries stay)'),
      }),
      response: { 200: Staff.describe('changed, or found as given'), 201: Staff.describe('made'), 400: ErrorBody, ...rules('outlet: one we have') },
    },
  }, async (request, reply) => {
    const { name, outlet, bankAccountRef, active } = request.body;
    if ((await orgUnit(db, outlet))?.kind !== 'outlet') throw ruleBroken('body.outlet', `no outlet '${outlet}'`);
    const counts = await putStaff(db, [{ id: request.params.id, name, outlet, bankAccountRef, active }], actorText(request.actor!));
    return reply.status(counts.created ? 201 : 200).send(toStaff((await staffMember(db, request.params.id))!));
  });

  app.get('/sales-points/staff', {
    config: { roles: ['finance'] },
    schema: {
      tags: ['sales-points'],
      summary: 'Staff, by staff id, filtered by outlet, area or department, paged',
      querystring: z.strictObject({
        outlet: OrgCode.optional(), area: OrgCode.optional(), department: OrgCode.optional(),
        active: z.enum(['true', 'false']).optional().transform((v) => (v === undefined ? undefined : v === 'true')),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
      }),
      response: { 200: z.object({ staff: z.array(Staff), total: z.number() }), 400: ErrorBody },
    },
  }, async (request) => {
    const { outlet, area, department, active, limit, offset } = request.query;
    const { rows, total } = await listStaff(db, {
      ...(outlet ? { outlet } : {}), ...(area ? { area } : {}), ...(department ? { department } : {}), ...(active === undefined ? {} : { active }), limit, offset,
    });
    return { staff: rows.map(toStaff), total };
  });

  app.get('/sales-points/staff/:id', {
    config: { roles: ['finance'] },
    schema: {
      tags: ['sales-points'], summary: 'One staff member, with their outlet, area and department',
      params: z.strictObject({ id: StaffId }), response: { 200: Staff, 404: ErrorBody },
    },
  }, async (request) => {
    const row = await staffMember(db, request.params.id);
    if (!row) throw notFound(`staff member '${request.params.id}'`);
    return toStaff(row);
  });

  app.post('/sales-points/staff', {
    config: { roles: ['admin'] },
    bodyLimit: SALES_CSV_LIMIT,
    schema: {
      tags: ['sales-points'],
      summary: 'Load staff from a CSV file, all of it or nothing; outlets, areas and departments it names that we do not have are made',
      description: `The header: \`${STAFF_HEADER}\` (bank_account_ref and active may be left out; active: true or false, empty true). `
        + 'An outlet, area or department the file names that exists must agree with it (the same area, department and channel); '
        + 'a new one is made, named by its code until PUT names it. A bad line is a 422 naming every bad line, and nothing is written.',
      body: csvBody(STAFF_HEADER),
      response: {
        200: z.object({
          lines: z.number().int(), created: z.number().int(), updated: z.number().int(), unchanged: z.number().int(),
          unitsCreated: z.number().int().describe('outlets, areas and departments the file brought'),
        }),
        ...CSV_ANSWERS, 400: ErrorBody,
        ...rules('every line: a staff id once, a name, codes of an outlet, area and department that agree with the organisation, channel own or partner'),
      },
    },
  }, async (request) => {
    const records = readCsv(request.body, staffHeaderProblem);
    const by = actorText(request.actor!);
    return inTransaction(db, async (tx) => {
      // One file at a time: two files bringing the same new outlet under different areas would both pass their checks.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('sales-points-staff-import'))`);
      const { rows, newUnits, problems } = checkStaffRecords(records, await allOrgUnits(tx));
      if (problems.length) throw badLines(problems);
      const unitsCreated = await addOrgUnits(tx, newUnits);
      const counts = await putStaff(tx, rows, by);
      return { lines: rows.length, ...counts, unitsCreated };
    });
  });
};
