import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { z } from 'zod';

// Scaffolding shared by the three sims: the same error shapes, health and
// runtime-config endpoints, so a client sees one consistent contract.

export interface SimOptions {
  /** Omitted: Fastify logs nothing (quiet tests). */
  logger?: FastifyBaseLogger;
}

export const SeedSchema = z.union([z.string().min(1), z.number()]);

export const RateSchema = z.number().min(0).max(1);

export const RangeMsSchema = z
  .strictObject({ min: z.number().int().min(0), max: z.number().int().min(0) })
  .refine((r) => r.min <= r.max, { message: 'min must not exceed max', path: ['max'] });

/** Faults shared by the webhook-driven sims (dialer, courier). */
export const WebhookFaultsSchema = z.strictObject({
  /** Share of POSTs answered 503 without doing anything. */
  errorRate: RateSchema.default(0),
  /** Fixed delay added before answering a POST. */
  latencyMs: z.number().int().min(0).default(0),
  /** Share of outcome webhooks sent twice, the copy ~50 ms later. */
  duplicateWebhookRate: RateSchema.default(0),
  /** An outage: every request but the sim's own admin routes is answered 503 (see mountOutage). */
  down: z.boolean().default(false),
});

export const DUPLICATE_AFTER_MS = 50;

export interface Issue {
  path: string;
  message: string;
}

export function issuesOf(error: z.ZodError, prefix: string[] = []): Issue[] {
  const pathOf = (...path: PropertyKey[]) => [...prefix, ...path.map(String)].join('.');
  return error.issues.flatMap((issue) =>
    // Point at each unexpected field itself, not at the object holding it.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: pathOf(...issue.path, key), message: 'unexpected field' }))
      : [{ path: pathOf(...issue.path), message: issue.message }],
  );
}

export function badRequest(reply: FastifyReply, issues: Issue[]): FastifyReply {
  return reply.code(400).send({ error: 'bad-request', issues });
}

/** Parse or answer 400; undefined means the reply has been sent. */
export function parseOr400<S extends z.ZodType>(
  schema: S,
  value: unknown,
  reply: FastifyReply,
  prefix: string[] = [],
): z.infer<S> | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  badRequest(reply, issuesOf(result.error, prefix));
  return undefined;
}

export function createSimApp(options: SimOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    // A campaign places thousands of calls; per-request lines would drown the
    // lines that matter (webhooks given up, config changes).
    logController: new LogController({ disableRequestLogging: true }),
  });

  // An empty body with a JSON content type (a bodiless POST .../cancel from a
  // client that always sets the header) is "no body", not a client error.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    return parseJson(request, body as string, done);
  });

  // Fastify's own rejections (malformed JSON, empty body, wrong content type)
  // are client mistakes and get the same shape as validation failures.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: 'bad-request', issues: [{ path: '', message: error.message }] });
    }
    request.log.error({ err: error }, 'sim handler failed');
    return reply.code(500).send({ error: 'internal', message: error.message });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not-found', message: `${request.method} ${request.url}` }),
  );
  app.get('/health', async () => ({ ok: true }));
  return app;
}

/**
 * GET /config and PUT /config (deep-merge a partial config, validate the
 * result as a whole, answer the new config). Lets a demo or a test turn faults
 * on and off without restarting the sim.
 */
export function mountConfig<S extends z.ZodType>(
  app: FastifyInstance,
  schema: S,
  config: { get(): z.infer<S>; set(next: z.infer<S>): void },
): void {
  app.get('/config', async () => config.get());
  app.put('/config', async (request, reply) => {
    if (!isPlainObject(request.body)) {
      return badRequest(reply, [{ path: '', message: 'expected a JSON object with the config fields to change' }]);
    }
    const next = parseOr400(schema, mergePatch(config.get(), request.body), reply);
    if (next === undefined) return reply;
    config.set(next);
    request.log.info({ config: next }, 'sim config changed');
    return next;
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Objects merge key by key; anything else (arrays included) is replaced, and so is an object that
 * names its `kind` (a distribution: its other fields depend on the kind).
 */
export function mergePatch(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch) || 'kind' in patch) return patch;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    merged[key] = mergePatch(base[key], value);
  }
  return merged;
}

/** Routes that keep answering through an injected outage, so a test can watch and end it. */
const ADMIN_ROUTES = new Set(['/health', '/config', '/stats']);

/**
 * An outage of the whole system (config `faults.down`): every request but the admin routes gets
 * the 503 of an injected outage and nothing is done, as long as it lasts. Webhooks of work taken
 * before it still go out (a dialer whose API is down still hangs up its calls).
 */
export function mountOutage(app: FastifyInstance, isDown: () => boolean): void {
  app.addHook('onRequest', async (request, reply) => {
    if (isDown() && !ADMIN_ROUTES.has(request.url.split('?')[0]!)) return unavailable(reply);
  });
}

/** The single 503 body of an injected outage. */
export function unavailable(reply: FastifyReply): FastifyReply {
  return reply.code(503).send({ error: 'unavailable' });
}

export function roundMoney(amount: number): number {
  return Math.round(amount * 100) / 100;
}
