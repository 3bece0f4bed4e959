import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { AppDeps } from '../deps';
import { HttpError } from '../errors';

/**
 * Requests per minute per principal (a token's subject; a caller without one by its address):
 * past the limit, 429 with Retry-After. It counts after the token check, so one principal cannot
 * spend another's allowance; the health check and the webhooks (their senders retry, and a
 * signature is checked first) have none.
 */
export async function installRateLimit(app: FastifyInstance, config: AppDeps['config']): Promise<void> {
  await app.register(rateLimit, {
    hook: 'preHandler',
    max: config.API_RATE_LIMIT_PER_MINUTE,
    timeWindow: '1 minute',
    keyGenerator: (request) => (request.principal ? `sub:${request.principal.sub}` : `ip:${request.ip}`),
    allowList: (request) => request.routeOptions.config.public === true
      || request.routeOptions.config.signedBy !== undefined,
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'rate-limited', `more than ${context.max} requests a minute; retry in ${context.after}`),
  });
}
