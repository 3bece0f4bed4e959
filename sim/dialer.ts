import type { FastifyInstance } from 'fastify';
import { between, pick, unit } from './rand';
import {
  DUPLICATE_AFTER_MS,
  createSimApp,
  mountConfig,
  mountOutage,
  parseOr400,
} from './service';
import type { Clock } from './clock';
import { mountHotline } from './hotline/routes';
import { mountSelfService } from './hotline/self-service';
import { TimerSet } from './timers';
import { sendOutcome as sendWebhook, WebhookSigner, type WebhookSimOptions } from './webhook';

// Stand-in for the telephony dialer: accepts call requests, "rings" for a
// while, then reports the outcome to the caller's webhook. Its inbound side,
// the hotline's call distributor, is in sim/hotline/.

export interface DialerOptions extends WebhookSimOptions {
  /** What the hotline's calls (arrivals, queue waits, talk, wrap-up) run by; real time unless a test's ManualClock. */
  clock?: Clock;
  /** The bearer token the self-service channels order at the API with (a role that may POST /orders). */
  selfServiceToken?: string;
}

import {
  CONNECTED, DISPOSITIONS, DialerConfigSchema, MIX_DISPOSITIONS, PlaceCallBatchSchema, PlaceCallSchema,
  type CallOutcome, type DialerConfig, type DialerConfigInput, type Disposition, type PlaceCall,
} from './dialer-contract';

export { CallOutcomeSchema, DISPOSITIONS, DialerConfigSchema, InboundEventSchema, PlaceCallBatchSchema, PlaceCallSchema } from './dialer-contract';
export type { CallOutcome, DialerConfig, DialerConfigInput, Disposition, InboundEvent, PlaceCall } from './dialer-contract';

/** What customers complain about on a follow-up call, and how often (relative weights). */
const COMPLAINT_REASONS = {
  'delivery was late': 3, 'billing does not match the offer': 3, 'service quality': 2, 'misled on the sales call': 1,
} as const;

/** Pure: the same (seed, call) always yields the same outcome, timestamps aside. */
export function decideCallOutcome(config: DialerConfig, call: PlaceCall, endedAt: Date): CallOutcome {
  const { seed } = config;
  const u = unit(seed, call.callId);
  const ended = { callId: call.callId, endedAt: endedAt.toISOString() };

  if (call.purpose === 'followup') {
    if (u >= config.followupReachRate) {
      const disposition = pick({ 'no-answer': 0.7, busy: 0.3 }, unit(seed, call.callId, 'unreached'));
      return { ...ended, disposition, connected: false, durationSec: 0 };
    }
    // "accepted" on a follow-up means: reached and the survey was answered.
    const complaint = unit(seed, call.callId, 'complaint') < config.complaintRate;
    return {
      ...ended,
      disposition: 'accepted',
      connected: true,
      durationSec: between(30, 240, unit(seed, call.callId, 'duration')),
      satisfaction: between(1, 5, unit(seed, call.callId, 'satisfaction')),
      complaint,
      ...(complaint ? { complaintReason: pick(COMPLAINT_REASONS, unit(seed, call.callId, 'complaint-reason')) } : {}),
      ...(!complaint && unit(seed, call.callId, 'resale') < config.resaleRate ? { resale: true } : {}),
    };
  }

  const disposition = pick(config.mix, u) as (typeof MIX_DISPOSITIONS)[number];
  if (!CONNECTED.has(disposition)) return { ...ended, disposition, connected: false, durationSec: 0 };
  const talk = { refused: [10, 90], 'callback-requested': [15, 60], accepted: [120, 900] } as const;
  const [min, max] = talk[disposition as keyof typeof talk];
  const outcome: CallOutcome = {
    ...ended,
    disposition,
    connected: true,
    durationSec: between(min, max, unit(seed, call.callId, 'duration')),
  };
  if (disposition === 'callback-requested') {
    outcome.callbackAt = new Date(endedAt.getTime() + config.callbackAfterSec * 1000).toISOString();
  }
  return outcome;
}

interface Call {
  request: PlaceCall;
  status: 'queued' | 'talking' | 'completed';
  queuedAt: string;
  outcome?: CallOutcome;
  /** Webhook dispatches so far; keys the duplicate-fault hash per send. */
  sends: number;
}

export function buildDialer(input: DialerConfigInput, options: DialerOptions): FastifyInstance {
  const signer = new WebhookSigner(options.webhookSecret, 'dialer');
  let config = DialerConfigSchema.parse(input);
  const app = createSimApp(options);
  mountOutage(app, () => config.faults.down);
  const timers = new TimerSet();
  const calls = new Map<string, Call>();
  /** POSTs seen per callId: keys the error fault so a retry can succeed. */
  const attempts = new Map<string, number>();
  const stats = {
    placed: 0,
    completed: 0,
    rejected: 0,
    byDisposition: Object.fromEntries(DISPOSITIONS.map((d) => [d, 0])) as Record<Disposition, number>,
    webhooksSent: 0,
    duplicatesSent: 0,
    webhooksFailed: 0,
    /** Messages the drop fault kept from being sent at all. */
    webhooksDropped: 0,
    abandoned: 0,
  };
  /** Per team: agents on a call (agent id → call id) and calls placed but not yet answered. */
  const busy = new Map<string, string>();
  const ringing = new Map<string, number>();
  const ringDelta = (team: string | undefined, d: number) => {
    if (team) ringing.set(team, (ringing.get(team) ?? 0) + d);
  };
  const freeAgent = (team: string, preferred?: string): string | undefined => {
    const roster = config.agents[team] ?? [];
    if (preferred && roster.includes(preferred) && !busy.has(preferred)) return preferred;
    return roster.find((a) => !busy.has(a));
  };

  const simTimers = new TimerSet(options.clock);
  app.addHook('preClose', async () => {
    simTimers.close();
    timers.close();
  });

  /**
   * One webhook message, outbound or inbound, with the dialer's webhook faults: dropped, delayed or
   * duplicated as hashed on (seed, key, the n-th send of that key), so a run replays.
   */
  function sendMessage(url: string, body: unknown, key: string, sends: number): void {
    const { faults, seed } = config;
    if (unit(seed, key, 'drop', sends) < faults.dropWebhookRate) {
      stats.webhooksDropped += 1;
      app.log.debug({ key }, 'webhook dropped (fault)');
      return;
    }
    const duplicate = unit(seed, key, 'duplicate', sends) < faults.duplicateWebhookRate;
    const send = () => sendWebhook({ url, body, duplicate, duplicateAfterMs: DUPLICATE_AFTER_MS, retries: config.webhookRetries, log: app.log, timers, stats, signer });
    const delayMs = between(faults.webhookDelayMs.min, faults.webhookDelayMs.max, unit(seed, key, 'delay', sends));
    if (delayMs > 0) timers.after(delayMs, send);
    else send();
  }

  function sendOutcome(call: Call): void {
    call.sends += 1;
    sendMessage(call.request.callbackUrl, call.outcome!, call.request.callId, call.sends);
  }

  const hotline = mountHotline(app, { config: () => config, simTimers, netTimers: timers, send: (url, body, key) => sendMessage(url, body, key, 1) });

  function finish(call: Call, outcome: CallOutcome): void {
    call.outcome = outcome;
    call.status = 'completed';
    stats.completed += 1;
    stats.byDisposition[outcome.disposition] += 1;
    sendOutcome(call);
  }

  /** The ring ended: unanswered calls end now; answered team calls need a free agent. */
  function answer(call: Call): void {
    const { team, agentId } = call.request;
    ringDelta(team, -1);
    const outcome = decideCallOutcome(config, call.request, new Date());
    if (!team || !outcome.connected) return finish(call, outcome);
    const agent = freeAgent(team, agentId);
    if (!agent) {
      stats.abandoned += 1;
      return finish(call, { callId: outcome.callId, disposition: 'abandoned', connected: false, durationSec: 0, endedAt: outcome.endedAt });
    }
    busy.set(agent, call.request.callId);
    call.status = 'talking';
    const handleMs = between(config.handleMs.min, config.handleMs.max, unit(config.seed, call.request.callId, 'handle'));
    timers.after(handleMs, () => {
      busy.delete(agent);
      const endedAt = new Date();
      const callbackAt = outcome.callbackAt ? { callbackAt: new Date(endedAt.getTime() + config.callbackAfterSec * 1000).toISOString() } : {};
      finish(call, { ...outcome, ...callbackAt, agentId: agent, endedAt: endedAt.toISOString() });
    });
  }

  /** One call request: the answer a client gets for it (alone, or as one line of a batch). */
  function placeOne(body: PlaceCall, log: FastifyInstance['log']): { code: 200 | 202 | 409 | 503; body: Record<string, unknown> } {
    const attempt = (attempts.get(body.callId) ?? 0) + 1;
    attempts.set(body.callId, attempt);
    if (unit(config.seed, body.callId, 'error', attempt) < config.faults.errorRate) {
      stats.rejected += 1;
      return { code: 503, body: { error: 'unavailable' } };
    }
    const existing = calls.get(body.callId);
    if (existing) {
      if (existing.request.to !== body.to || existing.request.purpose !== body.purpose) {
        return { code: 409, body: { error: 'call-id-reused', message: `callId ${body.callId} was already used for another number or purpose` } };
      }
      // A client retrying after losing our webhook (or its own state) gets
      // the answer again, at the address it gives now.
      existing.request.callbackUrl = body.callbackUrl;
      if (existing.outcome) sendOutcome(existing);
      return { code: 200, body: { callId: body.callId, status: 'queued', queuedAt: existing.queuedAt } };
    }
    const call: Call = { request: body, status: 'queued', queuedAt: new Date().toISOString(), sends: 0 };
    calls.set(body.callId, call);
    stats.placed += 1;
    const ringMs = between(config.ringMs.min, config.ringMs.max, unit(config.seed, body.callId, 'ring'));
    ringDelta(body.team, +1);
    timers.after(ringMs, () => answer(call));
    log.debug({ callId: body.callId, purpose: body.purpose, ringMs }, 'call placed');
    return { code: 202, body: { callId: body.callId, status: 'queued', queuedAt: call.queuedAt } };
  }

  app.post('/calls', async (request, reply) => {
    const body = parseOr400(PlaceCallSchema, request.body, reply);
    if (body === undefined) return reply;
    await timers.sleep(config.faults.latencyMs);
    const answer = placeOne(body, request.log);
    return reply.code(answer.code).send(answer.body);
  });

  /** Many calls in one request, as a campaign hands a batch to a predictive dialer; each answered on its own line. */
  app.post('/calls/batch', async (request, reply) => {
    const body = parseOr400(PlaceCallBatchSchema, request.body, reply);
    if (body === undefined) return reply;
    await timers.sleep(config.faults.latencyMs);
    return {
      results: body.calls.map((c) => {
        const one = placeOne(c, request.log);
        return { callId: c.callId, code: one.code, ...one.body };
      }),
    };
  });

  app.get('/calls/:callId', async (request, reply) => {
    const { callId } = request.params as { callId: string };
    const call = calls.get(callId);
    if (!call) return reply.code(404).send({ error: 'not-found', message: `no call ${callId}` });
    const { to, purpose } = call.request;
    return { callId, to, purpose, status: call.status, queuedAt: call.queuedAt, outcome: call.outcome ?? null };
  });

  const selfService = mountSelfService(app, { config: () => config, simTimers, netTimers: timers, apiToken: options.selfServiceToken });

  app.get('/stats', async () => ({ ...stats, inbound: hotline.stats(), selfService: selfService.stats() }));

  /** A team's agent pool now, what a pacing dialer looks at before placing calls. */
  app.get('/teams/:team', async (request, reply) => {
    const { team } = request.params as { team: string };
    const roster = config.agents[team];
    if (!roster) return reply.code(404).send({ error: 'not-found', message: `no agents logged in for team ${team}` });
    const free = roster.filter((a) => !busy.has(a));
    return { team, agents: roster.length, available: free.length, onCall: roster.length - free.length, ringing: ringing.get(team) ?? 0, free };
  });

  mountConfig(app, DialerConfigSchema, {
    get: () => config,
    set: (next) => {
      config = next;
    },
  });

  return app;
}
