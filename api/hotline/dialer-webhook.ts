import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { InboundEventSchema } from '../../domain/hotline/call-events';
import { receiveCallEvent } from '../../activities/hotline/calls';
import type { AppDeps } from '../deps';
import { WEBHOOK_ERRORS, WEBHOOK_SECURITY, WebhookAck } from '../webhooks';

/**
 * The dialer's inbound calls (sim/README.md, "Hotline"): offered, answered, abandoned, ended, signed
 * by the dialer like its outbound reports. Each event is kept once (its eventId), and an identified
 * caller's call is their interaction; the caller's number is only the dialer's to identify them
 * with, and is not kept.
 */
export const inboundCallWebhookRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.post('/webhooks/dialer/inbound', {
    config: { signedBy: 'dialer' },
    schema: {
      tags: ['webhooks'], summary: 'An inbound call was put through, answered, abandoned or ended (dialer → us)', security: WEBHOOK_SECURITY,
      description: 'Idempotent per eventId: a copy answers `duplicate: true` and changes nothing. Events may come in any order; the interaction only moves on.',
      body: InboundEventSchema, response: { 200: WebhookAck, 401: WEBHOOK_ERRORS[401] },
    },
  }, async (request) => {
    const { first } = await receiveCallEvent({ db: deps.db, client: deps.client, taskQueue: deps.config.TEMPORAL_TASK_QUEUE }, request.body);
    return { ok: true, duplicate: !first };
  });
};
