import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { MonthSchema } from '../../domain/sales-points/month';
import { actorText } from '../../domain/compliance/numbers';
import type { Actor } from '../../domain/access/roles';
import { acceptDispute, declineDispute, entryForDispute, listDisputes, openDispute, readDispute, type Dispute } from '../../db/sales-points/disputes-sql';
import type { AppDeps } from '../deps';
import { ErrorBody, HttpError, conflict, notFound, rules, ruleBroken } from '../errors';

const DisputeBody = z.object({
  id: z.number(), entryId: z.number(), staffId: z.string(), month: z.string().describe('The sale\'s month'), serviceCode: z.string(),
  comment: z.string(), status: z.enum(['open', 'accepted', 'declined']), openedAt: z.string(),
  decidedBy: z.string().nullable(), decisionReason: z.string().nullable(), decidedAt: z.string().nullable(),
  adjustment: z.object({ ledgerId: z.number(), month: z.string(), points: z.number() }).nullable()
    .describe('Accepted: the ledger row crediting the sale, in the first month after the sale\'s that was not closed'),
});
const Id = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const text = (max: number) => z.string().trim().min(1).max(max);
const Decision = z.strictObject({ reason: text(1000).describe('Why, as the staff member will read it') });

/** Staff and agents act on their own sales only; finance, admin (and ops, reading) on anyone's. */
export const ownOnly = (actor: Actor | undefined) => actor?.role === 'staff' || actor?.role === 'agent';
const forbidden = (what: string) => new HttpError(403, 'forbidden', `${what} is someone else's`);

/** Disputes of unmatched sales: opened by the seller, decided by finance. */
export const disputeRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.post('/sales-points/disputes', {
    config: { roles: ['staff', 'agent'] },
    schema: {
      tags: ['sales-points'],
      summary: 'Dispute an unmatched sale of one\'s own, with a comment (staff, agents: their own sales only)',
      body: z.strictObject({ entryId: Id.describe('The sale (sales entry) disputed'), comment: text(2000) }),
      response: {
        201: DisputeBody, 403: ErrorBody.describe('The sale is someone else\'s'), 404: ErrorBody,
        409: ErrorBody.describe('The sale has a dispute open or accepted already'),
        ...rules('only a sale the month\'s reconciliation left unmatched can be disputed'),
      },
    },
  }, async (request, reply) => {
    const { entryId, comment } = request.body;
    const entry = await entryForDispute(deps.db, entryId);
    if (!entry) throw notFound(`sale ${entryId}`);
    if (ownOnly(request.actor) && entry.staffId !== request.actor!.sub) throw forbidden(`sale ${entryId}`);
    if (entry.outcome !== 'unmatched') {
      throw ruleBroken('body.entryId', entry.outcome ? `sale ${entryId} is ${entry.outcome}, not unmatched` : `sale ${entryId} has not been reconciled yet`);
    }
    const dispute = await openDispute(deps.db, entryId, entry.staffId, comment);
    if (dispute === 'live') throw conflict(`sale ${entryId} has a dispute open or accepted already`);
    return reply.status(201).send(dispute);
  });

  app.get('/sales-points/disputes', {
    config: { roles: ['finance', 'staff', 'agent'] },
    schema: {
      tags: ['sales-points'],
      summary: 'Disputes, by status and the sale\'s month (staff and agents see their own; at most 1000, oldest first)',
      querystring: z.strictObject({ status: z.enum(['open', 'accepted', 'declined']).optional(), month: MonthSchema.optional() }),
      response: { 200: z.object({ disputes: z.array(DisputeBody) }) },
    },
  }, async (request) => {
    const staffId = ownOnly(request.actor) ? request.actor!.sub : undefined;
    return { disputes: await listDisputes(deps.db, { ...request.query, staffId }) };
  });

  const decide = (verb: 'accept' | 'decline') => app.post(`/sales-points/disputes/:id/${verb}`, {
    config: { roles: ['finance'] },
    schema: {
      tags: ['sales-points'],
      summary: verb === 'accept'
        ? 'Accept a dispute: the sale\'s points (the terms of its day) are credited in the next open month, as an adjustment'
        : 'Decline a dispute, with the reason',
      params: z.strictObject({ id: Id }),
      body: Decision,
      response: { 200: DisputeBody, 404: ErrorBody, 409: ErrorBody.describe('The dispute was decided already') },
    },
  }, async (request) => {
    const { id } = request.params;
    const decision = { by: actorText(request.actor!), reason: request.body.reason };
    const result: Dispute | 'not-found' | 'decided' | 'matched' = verb === 'accept'
      ? await acceptDispute(deps.db, id, decision, deps.config.OPERATOR_TIME_ZONE)
      : await declineDispute(deps.db, id, decision);
    if (result === 'not-found') throw notFound(`dispute ${id}`);
    if (result === 'decided') throw conflict(`dispute ${id} was ${(await readDispute(deps.db, id))!.status} already`);
    if (result === 'matched') throw conflict(`dispute ${id}: its sale matched billing since (the month was reconciled again) and earned its points; decline it`);
    return result;
  });
  decide('accept');
  decide('decline');
};
