import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { AppDeps } from '../deps';
import { HttpError } from '../errors';

/** A hook that answers 429 (with Retry-After) once its key has spent its requests of the minute. */
export type Limiter = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** How many times a principal's allowance one address gets unless configured (many people may share one address). */
const PER_ADDRESS = 10;

/**
 * Requests per minute, counted before anything else of a request is done (its body is not even
 * read): `byAddress` for every request to a guarded route, however it ends (a flood of bad tokens
 * included), and `byPrincipal` per token subject once the token checked out, before its role is
 * (so 403s, 400s and 422s count too). Past the limit: 429 with Retry-After. api/access/auth.ts puts
 * them on each guarded route; the health check, the documentation and the webhooks (signed, their
 * senders retry) have none.
 */
export async function installRateLimit(app: FastifyInstance, config: AppDeps['config']): Promise<{ byAddress: Limiter; byPrincipal: Limiter }> {
  await app.register(rateLimit, { global: false });
  // Checks of the plugin's own store, made into hooks here: its ready-made hook runs once per
  // request, and a request is counted twice (its address, then its principal).
  const limiter = (max: number, key: (request: FastifyRequest) => string): Limiter => {
    const check = app.createRateLimit({ max, timeWindow: '1 minute', keyGenerator: key });
    return async (request, reply) => {
      const verdict = await check(request);
      if (verdict.isAllowed) return;
      reply.header('x-ratelimit-limit', verdict.max).header('x-ratelimit-remaining', verdict.remaining);
      if (!verdict.isExceeded) return;
      reply.header('retry-after', verdict.ttlInSeconds);
      throw new HttpError(429, 'rate-limited', `more than ${verdict.max} requests a minute; retry in ${verdict.ttlInSeconds} s`);
    };
  };
  return {
    byAddress: limiter(config.API_RATE_LIMIT_PER_ADDRESS_PER_MINUTE ?? config.API_RATE_LIMIT_PER_MINUTE * PER_ADDRESS, (request) => `ip:${request.ip}`),
    byPrincipal: limiter(config.API_RATE_LIMIT_PER_MINUTE, (request) => `sub:${request.principal!.sub}`),
  };
}
