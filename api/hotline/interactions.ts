import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { interactionAgent, interactionRefusal, takesOver } from '../../domain/hotline/access';
import { InteractionBodySchema, OutcomeBodySchema } from '../../domain/hotline/schemas';
import { interaction, openInteraction, takeOverCall } from '../../db/hotline/interactions-sql';
import type { CatalogueCache } from '../../db/hotline/catalogue-sql';
import { recommendBatches } from '../../db/hotline/recommend-batches';
import { PropensityCache } from '../../db/hotline/propensity-cache';
import { recommendationsFor } from '../../activities/hotline/recommendations';
import { reportOutcome } from '../../activities/hotline/outcomes';
import type { AppDeps } from '../deps';
import { ErrorBody, HttpError, conflict, notFound, ruleBroken, rules } from '../errors';
import { Interaction, Outcome, Recommendations, toInteraction, toOutcome, toRecommendations } from './views';

const IdParams = z.strictObject({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const forbidden = (message: string) => new HttpError(403, 'forbidden', message);

/**
 * Interactions (an inbound call, a self-service visit), their next best offers and the outcomes
 * fed back (docs/hotline.md). Agents act on their own interactions; self-service channels
 * (role self-service) on self-service ones, with the same recommendations and contact policy.
 */
export const interactionRoutes = (deps: AppDeps, catalogue: CatalogueCache): FastifyPluginAsyncZod => async (app) => {
  const { db } = deps;
  const hotline = { db, catalogue, batches: recommendBatches(db), propensity: new PropensityCache(), operatorTimeZone: deps.config.OPERATOR_TIME_ZONE };

  app.post('/interactions', {
    config: { roles: ['agent', 'self-service'] },
    schema: {
      tags: ['hotline'],
      summary: 'Open an interaction: an inbound call an agent took, or a self-service visit; once per call id or Idempotency-Key',
      headers: z.object({ 'idempotency-key': z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$/, 'letters, digits, _ and -, at most 60').optional() }),
      body: InteractionBodySchema,
      response: {
        200: Interaction.describe('opened before by the same call id or key'), 201: Interaction, 404: ErrorBody.describe('no such customer'),
        409: ErrorBody.describe('the call id or key opened another interaction'),
        ...rules('agentId: an agent opens interactions for themselves, a self-service channel names none', 'channel: a self-service channel opens no call, an agent nothing but a call',
          "callId: a call names the dialer's call id"),
      },
    },
  }, async (request, reply) => {
    const b = request.body;
    const actor = request.actor!;
    if (actor.role === 'self-service' && b.channel === 'call') throw ruleBroken('body.channel', 'a self-service channel opens self-service interactions only');
    if (actor.role === 'agent' && b.channel !== 'call') throw ruleBroken('body.channel', 'an agent opens calls only (a visit is the self-service channel\'s)');
    // A call is the dialer's: its id ties the interaction to the call volume the report counts (docs/reports.md).
    if (b.channel === 'call' && b.callId === undefined) throw ruleBroken('body.callId', "a call names the dialer's call id");
    const agent = interactionAgent(actor, b.agentId);
    if ('refusal' in agent) throw ruleBroken('body.agentId', agent.refusal);
    const requestHash = createHash('sha256').update(JSON.stringify(b)).digest('hex');
    const opened = await openInteraction(db, {
      customerId: b.customerId, channel: b.channel, reason: b.reason ?? (b.channel === 'call' ? 'other' : null), callId: b.callId ?? null,
      team: b.team ?? null, agentId: agent.agentId, openedBy: actor.sub, idempotencyKey: request.headers['idempotency-key'] ?? null,
      requestHash,
    });
    if (!opened) throw notFound(`customer ${b.customerId}`);
    // The same call is the same interaction whoever opens it (the dialer's webhook, the agent): of another customer it is a conflict.
    const sameCall = b.callId !== undefined && opened.row.call_id === b.callId;
    if (!opened.created && (sameCall ? Number(opened.row.customer_id) !== b.customerId || opened.row.channel !== b.channel : opened.row.request_hash !== requestHash)) {
      throw conflict(`${sameCall ? `call ${b.callId}` : 'the Idempotency-Key'} opened interaction ${opened.row.id} with another request`);
    }
    reply.header('location', `/interactions/${opened.row.id}`);
    return reply.status(opened.created ? 201 : 200).send(toInteraction(opened.row));
  });

  app.get('/interactions/:id', {
    config: { roles: ['agent', 'self-service', 'marketing', 'qa'] },
    schema: { tags: ['hotline'], summary: 'One interaction (the number masked)', params: IdParams, response: { 200: Interaction, 403: ErrorBody, 404: ErrorBody } },
  }, async (request) => {
    const row = await interaction(db, request.params.id);
    if (!row) throw notFound(`interaction ${request.params.id}`);
    const refusal = interactionRefusal(request.actor!, { id: row.id, channel: row.channel, agentId: row.agent_id });
    if (refusal) throw forbidden(refusal);
    return toInteraction(row);
  });

  app.get('/interactions/:id/recommendations', {
    config: { roles: ['agent', 'self-service'] },
    schema: {
      tags: ['hotline'],
      summary: 'The next best offers of an interaction: up to three, ranked, each with its script, reason, kind and how to complete it',
      description: 'Decided once per interaction (eligibility, contact policy, propensity × value × lever) and kept; a repeat answers the same offers '
        + 'with their outcomes so far. A self-service channel gets only the offers it can complete.',
      params: IdParams,
      response: { 200: Recommendations, 403: ErrorBody, 404: ErrorBody },
    },
  }, async (request) => {
    const actor = request.actor!;
    const answer = await recommendationsFor(hotline, request.params.id, async (f) => {
      const refusal = interactionRefusal(actor, { id: f.id, channel: f.channel, agentId: f.agent_id });
      if (refusal) throw forbidden(refusal);
      if (takesOver(actor, { channel: f.channel, agentId: f.agent_id })) {
        const agent = await takeOverCall(db, Number(f.id), actor.sub);
        if (agent !== actor.sub) throw forbidden(`interaction ${f.id} is agent ${agent}'s`);
      }
    });
    if (!answer) throw notFound(`interaction ${request.params.id}`);
    return toRecommendations(answer);
  });

  app.post('/interactions/:id/outcomes', {
    config: { roles: ['agent', 'self-service'] },
    schema: {
      tags: ['hotline'],
      summary: 'What became of a recommendation: presented, accepted (the order starts), referred to a channel, refused, not now',
      description: 'Once per recommendation and outcome (a repeat answers 200 with the outcome recorded); one decision per recommendation. '
        + "Accepted starts the order as POST /orders does, channel 'hotline', the agent its seller.",
      params: IdParams,
      body: OutcomeBodySchema,
      response: {
        200: Outcome.describe('recorded before'), 201: Outcome, 403: ErrorBody, 404: ErrorBody.describe('no such recommendation in the interaction'),
        409: ErrorBody.describe('the recommendation was decided otherwise, or its order could not start'),
        ...rules('accepted: an offer the interaction\'s channel can complete', 'referredChannel: with a referral only, a channel that completes the offer'),
      },
    },
  }, async (request, reply) => {
    const { recommendationId, outcome, referredChannel } = request.body;
    const answer = await reportOutcome(
      { db, client: deps.client, taskQueue: deps.config.TEMPORAL_TASK_QUEUE, operatorTimeZone: deps.config.OPERATOR_TIME_ZONE },
      { interactionId: request.params.id, recommendationId, next: { outcome, referredChannel }, actor: request.actor! });
    switch (answer.kind) {
      case 'not-found': throw new HttpError(404, 'not-found', answer.message);
      case 'forbidden': throw forbidden(answer.message);
      case 'conflict': throw conflict(answer.message);
      case 'rule': throw ruleBroken(answer.path, answer.message);
      default: return reply.status(answer.created ? 201 : 200).send(toOutcome(recommendationId, answer.outcome));
    }
  });
};
