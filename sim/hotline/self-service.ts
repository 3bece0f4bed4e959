import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { DialerConfig } from '../dialer-contract';
import { unit } from '../rand';
import { parseOr400 } from '../service';
import type { TimerSet } from '../timers';
import { ReferralBatchSchema, SELF_SERVICE_CHANNELS, type Referral, type SelfServiceConfig } from './contract';

// The self-service channels (IVR, SMS hall, app, web hall) as traffic generators: customers the
// hotline referred to a channel order there within a while, or never, and the channel sends the order
// to the API's POST /orders. Off unless config selfService.enabled (sim/README.md).

/** The key POST /orders dedupes by: one order per referral, however often it is sent. */
export function idempotencyKeyOf(r: Referral): string {
  const identity = r.referralId ?? `${r.customerId}/${r.offerCode}/${r.channel}`;
  return `ss-${r.channel}-${createHash('sha256').update(identity).digest('hex').slice(0, 40)}`;
}

/**
 * The one place that says what a self-service order looks like to POST /orders (api/order/orders.ts):
 * its Idempotency-Key and body. `channel` is not a field of today's API; the wiring that matches
 * referrals adds it (until then, config includeChannel: false).
 */
export function orderRequest(r: Referral, config: SelfServiceConfig): { headers: Record<string, string>; body: Record<string, unknown> } {
  const offer = config.offers[r.offerCode] ?? { name: r.offerCode, price: 0 };
  return {
    headers: { 'idempotency-key': idempotencyKeyOf(r) },
    body: { customerId: r.customerId, offer: { code: r.offerCode, ...offer }, ...(config.includeChannel ? { channel: r.channel } : {}) },
  };
}

type Status = 'scheduled' | 'never' | 'ordering' | 'ordered' | 'refused' | 'failed' | 'off';

interface Pending {
  referral: Referral;
  idempotencyKey: string;
  status: Status;
  /** When the customer orders (simulated time). */
  dueAt?: number;
  /** The API's last answer: its status code and body. */
  answer?: { code: number; body: unknown };
  attempts: number;
}

export interface SelfServiceDeps {
  config: () => DialerConfig;
  /** When customers order (a test's ManualClock). */
  simTimers: TimerSet;
  /** Real time: retries and request timeouts. */
  netTimers: TimerSet;
  /** Bearer token for the API (a role that may POST /orders); none: no Authorization header. */
  apiToken?: string;
}

const view = (p: Pending) => ({
  idempotencyKey: p.idempotencyKey, status: p.status, referral: p.referral, attempts: p.attempts,
  ...(p.dueAt !== undefined ? { dueAt: new Date(p.dueAt).toISOString() } : {}), ...(p.answer ? { answer: p.answer } : {}),
});

export function mountSelfService(app: FastifyInstance, deps: SelfServiceDeps): { stats: () => Record<string, unknown> } {
  const { config, simTimers, netTimers } = deps;
  const referrals = new Map<string, Pending>();
  const counts = { referrals: 0, never: 0, ordered: 0, refused: 0, failed: 0 };
  const byChannel = Object.fromEntries(SELF_SERVICE_CHANNELS.map((c) => [c, { referrals: 0, ordered: 0 }]));

  async function post(p: Pending): Promise<{ code: number; body: unknown } | string> {
    const settings = config().selfService;
    const { headers, body } = orderRequest(p.referral, settings);
    try {
      const res = await fetch(new URL('orders', settings.apiUrl!.replace(/\/?$/, '/')), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(deps.apiToken ? { authorization: `Bearer ${deps.apiToken}` } : {}), ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.any([netTimers.signal, AbortSignal.timeout(5_000)]),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      return { code: res.status, body: parsed };
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  /** The customer orders: sent until the API answers other than 5xx, with the same key each time. */
  async function order(p: Pending): Promise<void> {
    if (!config().selfService.enabled) {
      p.status = 'off';
      return;
    }
    p.status = 'ordering';
    const retries = config().selfService.retries;
    for (let attempt = 1; attempt <= retries + 1 && !netTimers.closed; attempt++) {
      p.attempts = attempt;
      const answer = await post(p);
      if (typeof answer !== 'string') p.answer = answer;
      if (typeof answer !== 'string' && answer.code < 500) {
        const ok = answer.code < 300;
        p.status = ok ? 'ordered' : 'refused';
        counts[p.status] += 1;
        if (ok) byChannel[p.referral.channel]!.ordered += 1;
        else app.log.warn({ idempotencyKey: p.idempotencyKey, code: answer.code }, 'self-service order refused by the API');
        return;
      }
      if (!(await netTimers.sleep(Math.min(200 * 2 ** (attempt - 1), 10_000)))) return;
    }
    p.status = 'failed';
    counts.failed += 1;
    app.log.warn({ idempotencyKey: p.idempotencyKey, attempts: p.attempts }, 'self-service order given up');
  }

  app.post('/self-service/referrals', async (request, reply) => {
    const body = parseOr400(ReferralBatchSchema, request.body, reply);
    if (body === undefined) return reply;
    if (!config().selfService.enabled) {
      return reply.code(409).send({ error: 'self-service-off', message: 'the self-service channels are off: PUT /config {"selfService": {"enabled": true, "apiUrl": …}}' });
    }
    const results = body.referrals.map((referral) => {
      const idempotencyKey = idempotencyKeyOf(referral);
      const known = referrals.get(idempotencyKey);
      if (known) return view(known);
      const { seed } = config();
      const completes = unit(seed, idempotencyKey, 'completes') < referral.probability;
      const p: Pending = { referral, idempotencyKey, status: completes ? 'scheduled' : 'never', attempts: 0 };
      referrals.set(idempotencyKey, p);
      counts.referrals += 1;
      byChannel[referral.channel]!.referrals += 1;
      if (completes) {
        const delayMs = Math.round(unit(seed, idempotencyKey, 'when') * referral.completeWithinSeconds * 1000);
        p.dueAt = simTimers.clock.now() + delayMs;
        simTimers.after(delayMs, () => void order(p));
      } else {
        counts.never += 1;
      }
      return view(p);
    });
    return reply.code(202).send({ results });
  });

  app.get('/self-service/referrals/:key', async (request, reply: FastifyReply) => {
    const { key } = request.params as { key: string };
    const p = referrals.get(key);
    return p ? view(p) : reply.code(404).send({ error: 'not-found', message: `no referral ${key}` });
  });

  return { stats: () => ({ ...counts, byChannel }) };
}
