import { z } from 'zod';
import { stringify } from 'csv-stringify/sync';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { MonthSchema } from '../../domain/sales-points/month';
import { BudgetOver } from '../../domain/sales-points/reconciliation';
import { readStatement, type Statement } from '../../db/sales-points/statement-sql';
import type { AppDeps } from '../deps';
import { ErrorBody, HttpError, notFound } from '../errors';
import { wantsCsv } from '../reports/funnel';
import { ownOnly } from './disputes';

const StatementBody = z.object({
  staff: z.object({ id: z.string(), name: z.string(), outlet: z.string(), area: z.string().nullable(), department: z.string().nullable() }),
  month: z.string(),
  closed: z.boolean().describe('Approved and closed: these figures never change; otherwise provisional'),
  runStatus: z.string().nullable(),
  entries: z.array(z.object({
    entryId: z.number(), soldOn: z.string(), serviceCode: z.string(), serviceName: z.string(), saleChannel: z.string(),
    outcome: z.string().nullable().describe('matched, awaiting-usage, unmatched; null before the month is reconciled'),
    reason: z.string().nullable(), detail: z.string().nullable(),
    points: z.number().describe('What the sale has earned so far, all months: its credit, usage credit, adjustment, less a clawback'),
  })),
  ledger: z.array(z.object({
    id: z.number(), kind: z.string(), points: z.number(),
    entryId: z.number().nullable().describe('The sale the row is about (a usage credit, clawback, adjustment, complaint)'),
    entryIds: z.array(z.number()).nullable().describe('A month\'s sales credit: the sales it credits, of one service and terms, each earning an equal share'),
    serviceCode: z.string().nullable(),
    refersTo: z.number().nullable().describe('A clawback: the ledger row whose credit of the sale (entryId) it takes back'), refersToMonth: z.string().nullable(),
    disputeId: z.number().nullable(), complaintOrderId: z.string().nullable(), reason: z.string(), createdAt: z.string(),
  })).describe('Every row of the month: sales, usage credits, complaints, clawbacks, adjustments, budget cuts and carries'),
  budgets: z.array(z.object({ scopeKind: z.string(), scopeCode: z.string(), points: z.number(), overrunPolicy: z.string(), over: BudgetOver.nullable() }))
    .describe('The budgets the month\'s points fell under and, when over, what the policy did'),
  total: z.number(),
});

/** The statement as CSV records: one per sale, one per ledger row, one per budget, and the total. */
export function statementRecords(s: Statement): (string | number)[][] {
  return [
    ['line', 'id', 'day', 'service_code', 'outcome', 'kind', 'points', 'refers_to', 'sales', 'reason'],
    ...s.entries.map((e) => ['sale', e.entryId, e.soldOn, e.serviceCode, e.outcome ?? 'not reconciled', '', e.points, '', e.entryId, [e.reason, e.detail].filter(Boolean).join(': ')]),
    ...s.ledger.map((l) => ['ledger', l.id, s.month, l.serviceCode ?? '', '', l.kind, l.points, l.refersTo ?? '', (l.entryIds ?? (l.entryId === null ? [] : [l.entryId])).join(' '), l.reason]),
    ...s.budgets.map((b) => ['budget', '', s.month, '', '', b.overrunPolicy, b.points, '', '', b.over?.note ?? `${b.scopeKind} ${b.scopeCode}: within its budget`]),
    ['total', '', s.month, '', '', '', s.total, '', '', s.closed ? 'closed' : 'provisional: the month is not closed'],
  ];
}

/** A staff member's statement of a month: what they sold, what billing said, every point and why. */
export const statementRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.get('/sales-points/statements/:staffId', {
    config: { roles: ['staff', 'agent', 'finance'] },
    schema: {
      tags: ['sales-points'],
      summary: 'A staff member\'s statement of a month (staff and agents: their own); `Accept: text/csv` for CSV',
      description: 'CSV: `line,id,day,service_code,outcome,kind,points,refers_to,sales,reason`, a line per sale (`sale`), ledger row (`ledger`: `sales` the sales it concerns, space-separated), budget (`budget`), and the `total`.',
      params: z.strictObject({ staffId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, 'a staff id') }),
      querystring: z.strictObject({ month: MonthSchema }),
      response: { 200: StatementBody, 403: ErrorBody.describe('Staff and agents read their own statement only'), 404: ErrorBody },
    },
  }, async (request, reply) => {
    const { staffId } = request.params;
    if (ownOnly(request.actor) && staffId !== request.actor!.sub) throw new HttpError(403, 'forbidden', `the statement of ${staffId} is someone else's`);
    const statement = await readStatement(deps.db, staffId, request.query.month, deps.config.OPERATOR_TIME_ZONE);
    if (!statement) throw notFound(`staff member ${staffId}`);
    if (wantsCsv(request.headers.accept)) {
      return reply.type('text/csv; charset=utf-8').serializer((s: unknown) => s as string).send(stringify(statementRecords(statement)) as never);
    }
    return statement;
  });
};
