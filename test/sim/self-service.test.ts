import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OfferSchema } from '../../domain/campaign/campaign';
import { SelfServiceConfigSchema, type Referral, type SelfServiceChannel } from '../../sim/dialer-contract';
import { idempotencyKeyOf, orderRequest } from '../../sim/hotline/self-service';
import { ManualClock, startSims, type RunningSims } from '../../sim/index';
import { newWebhookSecret } from '../../infra/webhook-secrets';
import { call, waitFor } from '../support/sim-http';

// The self-service channels of the dialer sim (sim/README.md): referred customers order in the IVR,
// the SMS hall, the app or the web hall at a moment drawn within the referral's window, or never, and
// the channel POSTs the order to the API. A stand-in API records what it gets; the sim's clock is a
// ManualClock the test moves.

interface Got {
  headers: Record<string, string | undefined>;
  body: Record<string, unknown>;
}

async function startFakeApi() {
  const got: Got[] = [];
  /** Per Idempotency-Key: how many more requests to answer 503. */
  const outages = new Map<string, number>();
  const app = Fastify();
  app.post('/api/orders', async (request, reply) => {
    const key = String(request.headers['idempotency-key']);
    got.push({ headers: { authorization: request.headers.authorization, 'idempotency-key': key }, body: request.body as Record<string, unknown> });
    const left = outages.get(key) ?? 0;
    if (left > 0) {
      outages.set(key, left - 1);
      return reply.code(503).send({ error: 'unavailable' });
    }
    if ((request.body as { customerId: number }).customerId === 666) return reply.code(404).send({ error: 'not-found', message: 'no such customer' });
    return reply.code(201).send({ id: `o-${key}`, created: true });
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { apiUrl: `${url}/api`, got, failNext: (key: string, times: number) => outages.set(key, times), close: () => app.close() };
}



const clock = new ManualClock();
let sims: RunningSims;
let api: Awaited<ReturnType<typeof startFakeApi>>;

beforeAll(async () => {
  api = await startFakeApi();
  sims = await startSims({ seed: 'self-service', clock, selfServiceToken: 'token-of-the-channels', webhookSecrets: { dialer: newWebhookSecret(), courier: newWebhookSecret() } });
});
afterAll(async () => {
  await sims?.close();
  await api?.close();
});

const refer = (referrals: object[]) => call('POST', `${sims.dialerUrl}/self-service/referrals`, { referrals });
const referral = (customerId: number, channel: SelfServiceChannel, extra: Partial<Referral> = {}): Referral => ({
  customerId, offerCode: 'data-20gb', channel, completeWithinSeconds: 2 * 86_400, probability: 1, ...extra,
});

describe('self-service channels', () => {
  it('are off unless enabled, and need the API to order at', async () => {
    expect((await refer([referral(1, 'app')])).body).toMatchObject({ error: 'self-service-off' });
    const noUrl = await call('PUT', `${sims.dialerUrl}/config`, { selfService: { enabled: true } });
    expect(noUrl.body.issues[0].path).toBe('selfService.apiUrl');
  });

  it('order at POST /orders within the window, once per referral, retried with the same key through an outage', async () => {
    await call('PUT', `${sims.dialerUrl}/config`, { selfService: { enabled: true, apiUrl: api.apiUrl, offers: { 'data-20gb': { name: 'Data 20 GB', price: 30 } } } });
    const app = referral(100001, 'app', { referralId: 'rec-1' });
    const never = referral(100002, 'sms', { probability: 0 });
    const ivr = referral(100003, 'ivr', { completeWithinSeconds: 0 });
    const refused = referral(666, 'web', { completeWithinSeconds: 60 });
    api.failNext(idempotencyKeyOf(ivr), 2);
    const answer = await refer([app, never, ivr, refused]);
    expect(answer.status).toBe(202);
    expect(answer.body.results.map((r: { status: string }) => r.status)).toEqual(['scheduled', 'never', 'scheduled', 'scheduled']);
    const dueAt = Date.parse(answer.body.results[0].dueAt);
    expect(dueAt - clock.now()).toBeGreaterThanOrEqual(0);
    expect(dueAt - clock.now()).toBeLessThanOrEqual(2 * 86_400_000);
    expect(api.got).toEqual([]); // nobody has ordered yet: the clock has not moved

    clock.advance(2 * 86_400_000);
    const status = async (r: Referral) => (await call('GET', `${sims.dialerUrl}/self-service/referrals/${idempotencyKeyOf(r)}`)).body;
    await waitFor(async () => (await status(app)).status === 'ordered' && (await status(ivr)).status === 'ordered' && (await status(refused)).status === 'refused', 'the orders');
    expect(await status(never)).toMatchObject({ status: 'never', attempts: 0 });
    expect(await status(refused)).toMatchObject({ answer: { code: 404 } });
    expect(await status(ivr)).toMatchObject({ attempts: 3, answer: { code: 201 } });

    const fromApp = api.got.find((g) => g.body.customerId === 100001)!;
    expect(fromApp.headers).toEqual({ authorization: 'Bearer token-of-the-channels', 'idempotency-key': idempotencyKeyOf(app) });
    expect(fromApp.headers['idempotency-key']).toMatch(/^ss-app-[0-9a-f]{40}$/);
    expect(fromApp.body).toEqual({ customerId: 100001, offer: { code: 'data-20gb', name: 'Data 20 GB', price: 30 }, channel: 'app' });
    const ivrKeys = api.got.filter((g) => g.body.customerId === 100003).map((g) => g.headers['idempotency-key']);
    expect(ivrKeys).toEqual([idempotencyKeyOf(ivr), idempotencyKeyOf(ivr), idempotencyKeyOf(ivr)]);

    // The same referral again is the one already known: no second order.
    expect((await refer([app])).body.results[0]).toMatchObject({ status: 'ordered' });
    clock.advance(2 * 86_400_000);
    expect(api.got.filter((g) => g.body.customerId === 100001)).toHaveLength(1);
    const stats = (await call('GET', `${sims.dialerUrl}/stats`)).body.selfService;
    expect(stats).toMatchObject({ referrals: 4, never: 1, ordered: 2, refused: 1, failed: 0, byChannel: { app: { referrals: 1, ordered: 1 } } });
  });

  it('build a body POST /orders takes today once the channel is left out', () => {
    const config = SelfServiceConfigSchema.parse({ enabled: true, apiUrl: 'http://api.test', includeChannel: false });
    const { headers, body } = orderRequest(referral(7, 'web'), config);
    expect(Object.keys(body).sort()).toEqual(['customerId', 'offer']);
    expect(OfferSchema.parse(body.offer)).toMatchObject({ code: 'data-20gb', name: 'data-20gb', price: 0 });
    // The API's Idempotency-Key rule (api/order/orders.ts).
    expect(headers['idempotency-key']).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$/);
  });

  it('refuse bad referrals with 400 and the field paths', async () => {
    const bad = await refer([{ customerId: 0, offerCode: 'X', channel: 'fax', completeWithinSeconds: -1, probability: 2 }]);
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path)).toEqual([
      'referrals.0.customerId', 'referrals.0.offerCode', 'referrals.0.channel', 'referrals.0.completeWithinSeconds', 'referrals.0.probability',
    ]);
    expect((await refer([])).body.issues[0].path).toBe('referrals');
    expect((await call('GET', `${sims.dialerUrl}/self-service/referrals/nope`)).status).toBe(404);
  });
});
