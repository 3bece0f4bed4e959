import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallOutcomeSchema, DeliveryOutcomeSchema, startSims, type RunningSims } from '../../sim/index';
import { DialerConfigSchema, decideCallOutcome } from '../../sim/dialer';
import { newWebhookSecret } from '../../infra/webhook-secrets';

// The sims run in-process on ephemeral ports; a tiny Fastify app plays the
// webhook receiver. Everything waits by polling, never by fixed sleeps.

interface Received {
  hook: string;
  body: Record<string, unknown>;
}

async function startReceiver() {
  const app = Fastify();
  const received: Received[] = [];
  /** Per hook name: how many more deliveries to answer 500 before accepting. */
  const failures = new Map<string, number>();
  app.post('/hooks/:hook', async (request, reply) => {
    const { hook } = request.params as { hook: string };
    const left = failures.get(hook) ?? 0;
    if (left > 0) {
      failures.set(hook, left - 1);
      return reply.code(500).send({ error: 'receiver down' });
    }
    received.push({ hook, body: request.body as Record<string, unknown> });
    return { ok: true };
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    hookUrl: (hook: string) => `${url}/hooks/${hook}`,
    on: (hook: string) => received.filter((r) => r.hook === hook).map((r) => r.body),
    failNext: (hook: string, times: number) => failures.set(hook, times),
    close: () => app.close(),
  };
}

// Generous: a webhook comes within a second, but the suite runs these beside heavy files on 2 cores.
async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function call(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 2000,
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

let sims: RunningSims;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  receiver = await startReceiver();
  sims = await startSims({
    seed: 'test',
    webhookSecrets: { dialer: newWebhookSecret(), courier: newWebhookSecret() },
    dialer: { ringMs: { min: 5, max: 30 } },
    courier: { travelMs: { min: 5, max: 30 } },
    bss: { barredNumbers: ['33600000000'] },
  });
});

afterAll(async () => {
  await sims?.close();
  await receiver?.close();
});

describe('dialer', () => {
  const placeCall = (callId: string, hook: string, purpose = 'sales') =>
    call('POST', `${sims.dialerUrl}/calls`, { callId, to: '33612345678', purpose, callbackUrl: receiver.hookUrl(hook) });

  it('places a call once and reports a valid outcome to the webhook', async () => {
    const first = await placeCall('call-1', 'call-1');
    // queuedAt: when the dialer took the call, by its clock; a repeat answers the first taking's time
    expect(first).toEqual({ status: 202, body: { callId: 'call-1', status: 'queued', queuedAt: expect.stringMatching(/^\d{4}-.*Z$/) } });
    const again = await placeCall('call-1', 'call-1');
    expect(again).toEqual({ status: 200, body: { callId: 'call-1', status: 'queued', queuedAt: first.body.queuedAt } });

    // Once, or twice when its outcome was already known at the repeat (the contract sends it again then).
    await waitFor(() => receiver.on('call-1').length >= 1, 'the call outcome');
    const outcome = CallOutcomeSchema.parse(receiver.on('call-1')[0]);
    for (const copy of receiver.on('call-1')) expect(copy).toEqual(receiver.on('call-1')[0]);
    expect(outcome.callId).toBe('call-1');
    expect(outcome.connected).toBe(['refused', 'callback-requested', 'accepted'].includes(outcome.disposition));

    const state = await call('GET', `${sims.dialerUrl}/calls/call-1`);
    expect(state.body).toMatchObject({ status: 'completed', outcome: { disposition: outcome.disposition } });
    const stats = await call('GET', `${sims.dialerUrl}/stats`);
    expect(stats.body.placed).toBe(1);

    // A client asking again after the outcome was sent gets it again, still one call.
    await placeCall('call-1', 'call-1');
    await waitFor(() => receiver.on('call-1').length === 2, 'the re-sent outcome');
    expect(receiver.on('call-1')[1]).toEqual(receiver.on('call-1')[0]);
    expect((await call('GET', `${sims.dialerUrl}/stats`)).body.placed).toBe(1);
  });

  it('reports follow-up surveys with satisfaction when reached', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `followup-${i}`);
    await Promise.all(ids.map((id) => placeCall(id, 'followups', 'followup')));
    await waitFor(() => receiver.on('followups').length === ids.length, 'all follow-up outcomes');
    for (const body of receiver.on('followups')) {
      const outcome = CallOutcomeSchema.parse(body);
      if (outcome.connected) {
        expect(outcome.disposition).toBe('accepted');
        expect(outcome.satisfaction).toBeGreaterThanOrEqual(1);
        expect(typeof outcome.complaint).toBe('boolean');
      } else {
        expect(['no-answer', 'busy']).toContain(outcome.disposition);
      }
    }
  });

  it('decides outcomes from the seed alone', () => {
    const config = DialerConfigSchema.parse({ seed: 7 });
    const request = { callId: 'same', to: '12345', purpose: 'sales' as const, callbackUrl: 'http://x.test/' };
    const a = decideCallOutcome(config, request, new Date(0));
    const b = decideCallOutcome(config, request, new Date(0));
    expect(a).toEqual(b);
  });

  it('retries a failing receiver and can send duplicates on purpose', async () => {
    receiver.failNext('flaky', 2);
    await placeCall('call-flaky', 'flaky');
    await waitFor(() => receiver.on('flaky').length === 1, 'the outcome after two failed deliveries');

    await call('PUT', `${sims.dialerUrl}/config`, { faults: { duplicateWebhookRate: 1 } });
    await placeCall('call-dup', 'dup');
    await waitFor(() => receiver.on('dup').length === 2, 'the duplicated outcome');
    expect(receiver.on('dup')[0]).toEqual(receiver.on('dup')[1]);
    await call('PUT', `${sims.dialerUrl}/config`, { faults: { duplicateWebhookRate: 0 } });
    expect((await call('GET', `${sims.dialerUrl}/stats`)).body.duplicatesSent).toBe(1);
  });

  it('puts answered team calls through to a free agent for the handle time, and abandons them when none is free', async () => {
    await call('PUT', `${sims.dialerUrl}/config`, {
      agents: { sales: ['ann', 'bob'] }, handleMs: { min: 300, max: 300 }, ringMs: { min: 5, max: 5 },
      mix: { 'no-answer': 0, busy: 0, 'wrong-number': 0, refused: 1, 'callback-requested': 0, accepted: 0 },
    });
    try {
      expect((await call('GET', `${sims.dialerUrl}/teams/nobody`)).status).toBe(404);
      const place = (callId: string, extra: object = {}) => call('POST', `${sims.dialerUrl}/calls`, {
        callId, to: '33612345678', purpose: 'sales', callbackUrl: receiver.hookUrl('team'), team: 'sales', ...extra,
      });
      await place('team-1', { agentId: 'bob' });
      await waitFor(async () => (await call('GET', `${sims.dialerUrl}/teams/sales`)).body.onCall === 1, 'bob on the call');
      expect((await call('GET', `${sims.dialerUrl}/teams/sales`)).body).toMatchObject({ agents: 2, available: 1, free: ['ann'], ringing: 0 });
      await place('team-2');
      await place('team-3'); // answered while both agents talk: abandoned
      await waitFor(() => receiver.on('team').length === 3, 'three outcomes');
      const byId = Object.fromEntries(receiver.on('team').map((o) => [o.callId, CallOutcomeSchema.parse(o)]));
      expect(byId['team-1']).toMatchObject({ disposition: 'refused', connected: true, agentId: 'bob' });
      expect(byId['team-2']).toMatchObject({ disposition: 'refused', agentId: 'ann' });
      expect(byId['team-3']).toMatchObject({ disposition: 'abandoned', connected: false, durationSec: 0 });
      expect(byId['team-3']!.agentId).toBeUndefined();
      expect((await call('GET', `${sims.dialerUrl}/teams/sales`)).body.available).toBe(2);
      expect((await call('GET', `${sims.dialerUrl}/stats`)).body.abandoned).toBe(1);
    } finally {
      await call('PUT', `${sims.dialerUrl}/config`, {
        agents: { sales: [] }, ringMs: { min: 5, max: 30 },
        mix: { 'no-answer': 0.25, busy: 0.1, 'wrong-number': 0.05, refused: 0.25, 'callback-requested': 0.05, accepted: 0.3 },
      });
    }
  });

  it('takes a batch of calls in one request, answering each on its own line', async () => {
    const line = (callId: string, to = '33612345678') => ({ callId, to, purpose: 'sales', callbackUrl: receiver.hookUrl('batch') });
    await call('POST', `${sims.dialerUrl}/calls`, line('batch-0'));
    const res = await call('POST', `${sims.dialerUrl}/calls/batch`, { calls: [line('batch-0'), line('batch-1'), line('batch-0b', '33699999999'), line('batch-0', '33600000001')] });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { callId: string; code: number }) => [r.callId, r.code])).toEqual([
      ['batch-0', 200], ['batch-1', 202], ['batch-0b', 202], ['batch-0', 409],
    ]);
    await waitFor(() => receiver.on('batch').length >= 3, 'the batch outcomes');
    const bad = await call('POST', `${sims.dialerUrl}/calls/batch`, { calls: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('calls');
  });

  it('rejects bad input with 400 and the failing paths', async () => {
    const bad = await call('POST', `${sims.dialerUrl}/calls`, {
      callId: 'x',
      to: 'not-a-number',
      purpose: 'sales',
      callbackUrl: receiver.hookUrl('never'),
      extra: true,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('bad-request');
    expect(bad.body.issues.map((i: { path: string }) => i.path)).toEqual(['to', 'extra']);

    const malformed = await fetch(`${sims.dialerUrl}/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(malformed.status).toBe(400);

    const badConfig = await call('PUT', `${sims.dialerUrl}/config`, { faults: { errorRate: 2 } });
    expect(badConfig.status).toBe(400);
    expect(badConfig.body.issues[0].path).toBe('faults.errorRate');
  });
});

describe('courier', () => {
  const book = (deliveryId: string, hook: string, extra: Record<string, unknown> = {}) =>
    call('POST', `${sims.courierUrl}/deliveries`, {
      deliveryId,
      orderId: `order-${deliveryId}`,
      region: 'north',
      address: '1 Harbour Road',
      callbackUrl: receiver.hookUrl(hook),
      ...extra,
    });

  it('books once and reports the outcome', async () => {
    const slot = '2030-01-01T10:00:00.000Z';
    const first = await book('dlv-1', 'dlv-1', { collectAmount: 49.9, slot });
    expect(first).toEqual({ status: 202, body: { deliveryId: 'dlv-1', status: 'booked', slot } });
    expect(await book('dlv-1', 'dlv-1', { collectAmount: 49.9, slot })).toEqual({ ...first, status: 200 });

    await waitFor(() => receiver.on('dlv-1').length === 1, 'the delivery outcome');
    const report = DeliveryOutcomeSchema.parse(receiver.on('dlv-1')[0]);
    expect(report.orderId).toBe('order-dlv-1');
    expect(report.amountCollected).toBe(report.outcome === 'delivered' ? 49.9 : undefined);
    expect((await call('GET', `${sims.courierUrl}/stats`)).body.booked).toBe(1);
  });

  it('cancels a pending delivery so no outcome is ever sent', async () => {
    await call('PUT', `${sims.courierUrl}/config`, { travelMs: { min: 100, max: 100 } });
    await book('dlv-cancel', 'cancelled');
    const cancelled = await call('POST', `${sims.courierUrl}/deliveries/dlv-cancel/cancel`);
    expect(cancelled).toEqual({ status: 200, body: { deliveryId: 'dlv-cancel', status: 'cancelled' } });
    expect(await call('POST', `${sims.courierUrl}/deliveries/dlv-cancel/cancel`)).toEqual(cancelled);

    // Booked after the cancelled one with the same travel time: once its
    // outcome is in, the cancelled one would have arrived too.
    await book('dlv-witness', 'witness');
    await waitFor(() => receiver.on('witness').length === 1, 'the witness delivery');
    expect(receiver.on('cancelled')).toEqual([]);
    await call('PUT', `${sims.courierUrl}/config`, { travelMs: { min: 5, max: 30 } });

    const done = await call('POST', `${sims.courierUrl}/deliveries/dlv-witness/cancel`);
    expect(done.status).toBe(409);
    expect(done.body).toEqual({ error: 'already-completed', outcome: receiver.on('witness')[0]!.outcome });
    expect((await call('POST', `${sims.courierUrl}/deliveries/nope/cancel`)).status).toBe(404);
  });

  it('rejects bad input with 400', async () => {
    const bad = await book('dlv-bad', 'never', { address: '', collectAmount: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['address', 'collectAmount']);
  });
});

describe('bss', () => {
  const activate = (key: string | undefined, body: Record<string, unknown>, timeoutMs?: number) =>
    call('POST', `${sims.bssUrl}/activations`, body, key === undefined ? {} : { 'Idempotency-Key': key }, timeoutMs);
  const order = (n: string, msisdn = '33611111111') => ({ orderId: `order-${n}`, msisdn, serviceCode: 'DATA-20GB' });

  it('activates once per Idempotency-Key and replays the same answer', async () => {
    const first = await activate('key-1', order('1'));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ idempotencyKey: 'key-1', status: 'active' });
    const again = await activate('key-1', order('1'));
    expect(again).toEqual({ status: 200, body: first.body });

    const state = await call('GET', `${sims.bssUrl}/activations/key-1`);
    expect(state.body).toMatchObject({ key: 'key-1', count: 1, activation: { activationId: first.body.activationId } });

    const reused = await activate('key-1', order('other'));
    expect(reused).toMatchObject({ status: 422, body: { error: 'idempotency-key-reused' } });
  });

  it('performs a timed-out activation exactly once across retries', async () => {
    await call('PUT', `${sims.bssUrl}/config`, { faults: { timeoutRate: 1, timeoutMs: 400 } });
    await expect(activate('key-slow', order('slow'), 50)).rejects.toThrow();
    // The client gave up, but the activation happened.
    expect((await call('GET', `${sims.bssUrl}/activations/key-slow`)).body.count).toBe(1);

    await call('PUT', `${sims.bssUrl}/config`, { faults: { timeoutRate: 0 } });
    const retried = await activate('key-slow', order('slow'));
    expect(retried.status).toBe(200);
    expect((await call('GET', `${sims.bssUrl}/activations/key-slow`)).body.count).toBe(1);
  });

  it('lets retries through random outages and timeouts, still once per key', async () => {
    const before = (await call('GET', `${sims.bssUrl}/stats`)).body;
    await call('PUT', `${sims.bssUrl}/config`, { faults: { errorRate: 0.3, timeoutRate: 0.3, timeoutMs: 300 } });
    const keys = Array.from({ length: 8 }, (_, i) => `flaky-${i}`);
    await Promise.all(
      keys.map(async (key) => {
        for (let attempt = 1; attempt <= 30; attempt++) {
          const answer = await activate(key, order(key), 60).catch(() => undefined);
          if (answer && answer.status < 300) return;
        }
        throw new Error(`${key} never succeeded`);
      }),
    );
    await call('PUT', `${sims.bssUrl}/config`, { faults: { errorRate: 0, timeoutRate: 0 } });
    for (const key of keys) {
      expect((await call('GET', `${sims.bssUrl}/activations/${key}`)).body.count).toBe(1);
    }
    const stats = (await call('GET', `${sims.bssUrl}/stats`)).body;
    expect(stats.maxCountPerKey).toBe(1);
    // The seed must have actually injected both faults for this to mean anything.
    expect(stats.rejected).toBeGreaterThan(before.rejected);
    expect(stats.timeouts).toBeGreaterThan(before.timeouts);
  });

  it('refuses barred numbers, the same way on every repeat', async () => {
    const refused = await activate('key-barred', order('barred', '33600000000'));
    expect(refused.status).toBe(422);
    expect(refused.body.error).toBe('number-barred');
    expect(await activate('key-barred', order('barred', '33600000000'))).toEqual(refused);
    expect((await call('GET', `${sims.bssUrl}/activations/key-barred`)).body).toMatchObject({ count: 0 });
  });

  it('deactivates idempotently', async () => {
    const { body } = await activate('key-to-undo', order('undo'));
    const undo = () =>
      call('POST', `${sims.bssUrl}/deactivations`, { activationId: body.activationId }, { 'Idempotency-Key': 'undo-1' });
    const first = await undo();
    expect(first.status).toBe(200);
    expect(await undo()).toEqual(first);
    expect((await call('GET', `${sims.bssUrl}/deactivations/undo-1`)).body.count).toBe(1);
  });

  it('rejects a missing key or bad body with 400', async () => {
    const missing = await activate(undefined, order('nokey'));
    expect(missing.status).toBe(400);
    expect(missing.body.issues[0].path).toBe('Idempotency-Key');
    const bad = await activate('key-bad', { orderId: 'o', msisdn: 'abc', serviceCode: 'X' });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('msisdn');
  });
});
