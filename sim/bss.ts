import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { unit } from './rand';
import { BssExportConfigSchema, mountExport } from './bss-export';
import { RateSchema, SeedSchema, createSimApp, issuesOf, badRequest, mountConfig, mountOutage, unavailable, type SimOptions } from './service';
import { TimerSet } from './timers';

// Stand-in for the operator's billing / service-activation system. Its point
// is the Idempotency-Key contract: a request may be performed and then time
// out on the client side, and the client's retry must not activate twice.

export const BssConfigSchema = z.strictObject({
  seed: SeedSchema.default(42),
  /** MSISDNs refused with number-barred. */
  barredNumbers: z.array(z.string()).default([]),
  /** MSISDNs ending in one of these digits are refused too (cheap bulk refusals). */
  refuseLastDigits: z
    .array(z.union([z.number().int().min(0).max(9), z.string().regex(/^\d$/, 'expected a single digit')]))
    .default([])
    .transform((digits) => digits.map(String)),
  faults: z
    .strictObject({
      /** Share of requests answered 503 before anything is done. */
      errorRate: RateSchema.default(0),
      /** Share of requests performed, then answered only after timeoutMs. */
      timeoutRate: RateSchema.default(0),
      timeoutMs: z.number().int().min(0).default(30_000),
      /** Fixed delay added before handling each request. */
      latencyMs: z.number().int().min(0).default(0),
      /** An outage: every request but /health, /config and /stats is answered 503. */
      down: z.boolean().default(false),
    })
    .prefault({}),
  /** Billing's export of a month's active subscriptions (sim/bss-export.ts). */
  export: BssExportConfigSchema,
});
export type BssConfig = z.infer<typeof BssConfigSchema>;
export type BssConfigInput = z.input<typeof BssConfigSchema>;

export const ActivateSchema = z.strictObject({
  orderId: z.string().min(1).max(200),
  msisdn: z.string().regex(/^\+?\d{5,20}$/, 'expected 5 to 20 digits, optionally after a +'),
  serviceCode: z.string().min(1).max(100),
});
export const DeactivateSchema = z.strictObject({ activationId: z.string().min(1).max(200) });
const IdempotencyKeySchema = z.string().min(1).max(200);

interface Activation {
  activationId: string;
  orderId: string;
  msisdn: string;
  serviceCode: string;
  status: 'active' | 'deactivated';
  activatedAt: string;
  deactivatedAt?: string;
}

/** What a key is bound to: the request it came with and the answer it got. */
interface KeyedAnswer {
  fingerprint: string;
  status: number;
  body: object;
}

interface Outcome {
  status: number;
  body: object;
  /** Refusals of unknown targets are not bound to the key: the target may appear later. */
  remember: boolean;
}

function idFor(prefix: string, seed: string | number, key: string): string {
  return `${prefix}-${createHash('sha256').update(`${seed}\u0000${prefix}\u0000${key}`).digest('hex').slice(0, 16)}`;
}

export function buildBss(input: BssConfigInput = {}, options: SimOptions = {}): FastifyInstance {
  let config = BssConfigSchema.parse(input);
  const app = createSimApp(options);
  mountOutage(app, () => config.faults.down);
  const timers = new TimerSet();

  const activationAnswers = new Map<string, KeyedAnswer>();
  const deactivationAnswers = new Map<string, KeyedAnswer>();
  /** How many times each key's side effect really ran: the number that must never exceed 1. */
  const activationCounts = new Map<string, { count: number; activationId?: string }>();
  const deactivationCounts = new Map<string, { count: number; activationId: string }>();
  const activations = new Map<string, Activation>();
  /** Requests per (kind, key): keys the fault hash so a retry can succeed. */
  const requestCounters = new Map<string, number>();
  const stats = {
    requests: 0,
    activations: 0,
    deactivations: 0,
    refusals: 0,
    rejected: 0,
    timeouts: 0,
  };

  app.addHook('preClose', async () => timers.close());

  function refusalOf(msisdn: string): string | undefined {
    if (config.barredNumbers.includes(msisdn)) return `msisdn ${msisdn} is barred`;
    const last = msisdn.at(-1)!;
    if (config.refuseLastDigits.includes(last)) return `msisdn ${msisdn} is barred (numbers ending in ${last})`;
    return undefined;
  }

  function activate(key: string, request: z.infer<typeof ActivateSchema>): Outcome {
    const refusal = refusalOf(request.msisdn);
    if (refusal) {
      stats.refusals += 1;
      activationCounts.set(key, { count: 0 });
      return { status: 422, body: { error: 'number-barred', message: refusal }, remember: true };
    }
    const activation: Activation = {
      activationId: idFor('act', config.seed, key),
      ...request,
      status: 'active',
      activatedAt: new Date().toISOString(),
    };
    activations.set(activation.activationId, activation);
    // Incremented, not set: if a bug ever let a key activate twice, GET
    // /activations/:key and maxCountPerKey would show it.
    const count = (activationCounts.get(key)?.count ?? 0) + 1;
    activationCounts.set(key, { count, activationId: activation.activationId });
    stats.activations += 1;
    const { activationId, activatedAt } = activation;
    return { status: 201, body: { activationId, idempotencyKey: key, status: 'active', activatedAt }, remember: true };
  }

  function deactivate(key: string, request: z.infer<typeof DeactivateSchema>): Outcome {
    const activation = activations.get(request.activationId);
    if (!activation) {
      return {
        status: 404,
        body: { error: 'unknown-activation', message: `no activation ${request.activationId}` },
        remember: false,
      };
    }
    // Deactivating what another key already deactivated is a success that does nothing.
    let count = deactivationCounts.get(key)?.count ?? 0;
    if (activation.status === 'active') {
      activation.status = 'deactivated';
      activation.deactivatedAt = new Date().toISOString();
      stats.deactivations += 1;
      count += 1;
    }
    deactivationCounts.set(key, { count, activationId: activation.activationId });
    return {
      status: 200,
      body: {
        deactivationId: idFor('deact', config.seed, key),
        activationId: activation.activationId,
        idempotencyKey: key,
        status: 'deactivated',
        deactivatedAt: activation.deactivatedAt,
      },
      remember: true,
    };
  }

  async function handleIdempotent<S extends z.ZodType>(
    kind: 'activation' | 'deactivation',
    schema: S,
    answers: Map<string, KeyedAnswer>,
    perform: (key: string, body: z.infer<S>) => Outcome,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    stats.requests += 1;
    const keyResult = IdempotencyKeySchema.safeParse(request.headers['idempotency-key']);
    const bodyResult = schema.safeParse(request.body);
    if (!keyResult.success || !bodyResult.success) {
      return badRequest(reply, [
        ...(keyResult.success
          ? []
          : [{ path: 'Idempotency-Key', message: 'required header, one value of 1 to 200 characters' }]),
        ...(bodyResult.success ? [] : issuesOf(bodyResult.error)),
      ]);
    }
    const key = keyResult.data;
    const body = bodyResult.data as z.infer<S>;
    const counterKey = `${kind}\u0000${key}`;
    const attempt = (requestCounters.get(counterKey) ?? 0) + 1;
    requestCounters.set(counterKey, attempt);
    const { faults } = config;

    await timers.sleep(faults.latencyMs);
    if (unit(config.seed, kind, key, 'error', attempt) < faults.errorRate) {
      stats.rejected += 1;
      return unavailable(reply);
    }

    // No await between the lookup and the store below: two concurrent
    // requests with one key cannot both perform.
    const fingerprint = JSON.stringify(body);
    const known = answers.get(key);
    let answer: { status: number; body: object };
    if (known) {
      if (known.fingerprint !== fingerprint) {
        return reply.code(422).send({
          error: 'idempotency-key-reused',
          message: `Idempotency-Key ${key} was already used with a different request body`,
        });
      }
      answer = { status: known.status === 201 ? 200 : known.status, body: known.body };
    } else {
      const outcome = perform(key, body);
      if (outcome.remember) answers.set(key, { fingerprint, status: outcome.status, body: outcome.body });
      answer = outcome;
    }

    // The work is done; only the answer is late. A client that gave up and
    // retries with the same key must get this very answer, not a second activation.
    if (unit(config.seed, kind, key, 'timeout', attempt) < faults.timeoutRate) {
      stats.timeouts += 1;
      await timers.sleep(faults.timeoutMs);
    }
    return reply.code(answer.status).send(answer.body);
  }

  app.post('/activations', (request, reply) =>
    handleIdempotent('activation', ActivateSchema, activationAnswers, activate, request, reply),
  );
  app.post('/deactivations', (request, reply) =>
    handleIdempotent('deactivation', DeactivateSchema, deactivationAnswers, deactivate, request, reply),
  );

  app.get('/activations/:key', async (request, reply) => {
    const { key } = request.params as { key: string };
    const performed = activationCounts.get(key);
    if (!performed) return reply.code(404).send({ error: 'not-found', message: `no activation for key ${key}` });
    const activation = performed.activationId ? activations.get(performed.activationId) : undefined;
    const refusal = activation ? undefined : activationAnswers.get(key)?.body;
    return { key, count: performed.count, activation: activation ?? null, ...(refusal ? { refusal } : {}) };
  });

  app.get('/deactivations/:key', async (request, reply) => {
    const { key } = request.params as { key: string };
    const performed = deactivationCounts.get(key);
    if (!performed) return reply.code(404).send({ error: 'not-found', message: `no deactivation for key ${key}` });
    return { key, count: performed.count, activation: activations.get(performed.activationId) ?? null };
  });

  app.get('/stats', async () => {
    let maxCountPerKey = 0;
    for (const { count } of activationCounts.values()) maxCountPerKey = Math.max(maxCountPerKey, count);
    return { ...stats, keys: activationAnswers.size, maxCountPerKey };
  });

  mountExport(app, {
    seed: () => config.seed,
    config: () => config.export,
    errorRate: () => config.faults.errorRate,
    activations: () => activations.values(),
  });

  mountConfig(app, BssConfigSchema, {
    get: () => config,
    set: (next) => {
      config = next;
    },
  });

  return app;
}
