import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InboundEventSchema, ManualClock, startSims, type InboundEvent, type RunningSims } from '../../sim/index';
import { arrivalGapMs, drawSec } from '../../sim/hotline/draws';
import { unit } from '../../sim/rand';
import { newWebhookSecret } from '../../infra/webhook-secrets';
import { call, waitFor } from '../support/sim-http';

// The dialer's inbound side (sim/README.md, "Hotline"), in-process on an ephemeral port. The hotline
// runs by a ManualClock the tests move: queue waits and talk times of minutes take no time, and
// nothing here depends on how fast the machine is. Webhooks still travel for real; tests wait for them.

interface Delivery {
  hook: string;
  raw: string;
  headers: Record<string, string>;
  event: InboundEvent;
}

async function startReceiver() {
  const got: Delivery[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const pick = (name: string) => String(req.headers[name] ?? '');
      const headers = { 'webhook-id': pick('webhook-id'), 'webhook-timestamp': pick('webhook-timestamp'), 'webhook-signature': pick('webhook-signature') };
      got.push({ hook: req.url!.split('/').pop()!, raw, headers, event: JSON.parse(raw) as InboundEvent });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    hookUrl: (hook: string) => `${url}/hooks/${hook}`,
    on: (hook: string) => got.filter((d) => d.hook === hook),
    /** The events of one call, in the order they arrived. */
    of: (callId: string) => got.filter((d) => d.event.callId === callId).map((d) => d.event),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}



const secret = newWebhookSecret();
const clock = new ManualClock();
let sims: RunningSims;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const dialer = (path: string) => `${sims.dialerUrl}${path}`;
const advanceSec = (sec: number) => clock.advance(sec * 1000);
const fixed = (sec: number) => ({ kind: 'fixed' as const, sec });

/** Every test starts from the same hotline settings: fixed times, so the expected seconds are exact. */
const HOTLINE = {
  agentRing: fixed(2), wrapUp: fixed(10), patience: fixed(300), maxWaitSec: 600,
  reasons: { 'bill-query': { weight: 1, talk: fixed(60) }, complaint: { weight: 1, talk: fixed(90) } },
};
const inject = (callId: string, team: string, ani = '13800000000', reason = 'bill-query') =>
  call('POST', dialer('/inbound/calls'), { callId, ani, reason, team, callbackUrl: receiver.hookUrl(team) });
const login = (agentId: string, team: string, state: 'ready' | 'not-ready' = 'ready') => call('PUT', dialer(`/inbound/agents/${agentId}`), { team, state });

beforeAll(async () => {
  receiver = await startReceiver();
  sims = await startSims({ seed: 'hotline', clock, webhookSecrets: { dialer: secret, courier: newWebhookSecret() } });
});
afterAll(async () => {
  await sims?.close();
  await receiver?.close();
});
beforeEach(async () => {
  expect((await call('PUT', dialer('/config'), { inbound: HOTLINE, faults: { duplicateWebhookRate: 0, dropWebhookRate: 0 } })).status).toBe(200);
});

describe('the hotline puts calls through', () => {
  it('to the agent of the team idle the longest, and reports offered, answered and ended, signed', async () => {
    await call('POST', dialer('/inbound/directory'), { customers: [{ customerId: 100001, msisdn: '19900000001' }] });
    await login('ann', 'care-a');
    advanceSec(5);
    await login('bob', 'care-a');
    advanceSec(5);
    await login('cat', 'care-a');
    // ann takes a break and comes back: now she is the one idle the shortest.
    advanceSec(1);
    await login('ann', 'care-a', 'not-ready');
    await login('ann', 'care-a');
    expect((await call('GET', dialer('/inbound/teams/care-a'))).body).toMatchObject({ agents: 3, ready: 3, queued: 0, free: ['bob', 'cat', 'ann'] });

    expect(await inject('a-1', 'care-a', '+19900000001')).toMatchObject({ status: 202, body: { callId: 'a-1', status: 'ringing' } });
    expect((await inject('a-1', 'care-a', '+19900000001')).status).toBe(200); // the same call again: nothing new
    expect((await inject('a-1', 'care-a', '13999999999')).status).toBe(409);
    advanceSec(1);
    await inject('a-2', 'care-a', '13800000002');
    expect((await call('GET', dialer('/inbound/teams/care-a'))).body).toMatchObject({ ringing: 2, free: ['ann'] });
    advanceSec(62); // a-1 ended 62 s after it came, a-2 a second later
    await waitFor(() => receiver.of('a-1').length === 3 && receiver.of('a-2').length === 3, 'both calls offered, answered and ended');

    const verifier = new Webhook(secret);
    for (const d of receiver.on('care-a')) {
      expect(verifier.verify(d.raw, d.headers)).toEqual(d.event);
      expect(InboundEventSchema.parse(d.event)).toEqual(d.event);
    }
    const [offered, answered, ended] = receiver.of('a-1');
    expect(offered).toMatchObject({ event: 'inbound.offered', eventId: 'a-1/inbound.offered', agentId: 'bob', customerId: 100001, ani: '+19900000001', reason: 'bill-query', team: 'care-a', queueWaitSec: 0 });
    expect(answered).toMatchObject({ event: 'inbound.answered', agentId: 'bob' });
    expect(Date.parse((answered as { answeredAt: string }).answeredAt) - Date.parse(offered!.arrivedAt)).toBe(2_000);
    expect(ended).toMatchObject({ event: 'inbound.ended', agentId: 'bob', talkSec: 60, wrapUpSec: 10, handleSec: 70, endedBy: 'caller' });
    // A number the directory does not know: no customer id.
    expect(receiver.of('a-2')[0]).toMatchObject({ agentId: 'cat' });
    expect(receiver.of('a-2')[0]!.customerId).toBeUndefined();

    // bob and cat are in wrap-up: the next call goes to ann; then bob, free a second before cat.
    expect((await call('GET', dialer('/inbound/agents/bob'))).body).toMatchObject({ state: 'wrap-up' });
    await inject('a-3', 'care-a');
    await waitFor(() => receiver.of('a-3').length === 1, 'a-3 offered');
    expect(receiver.of('a-3')[0]).toMatchObject({ agentId: 'ann' });
    advanceSec(10);
    await inject('a-4', 'care-a');
    await waitFor(() => receiver.of('a-4').length === 1, 'a-4 offered');
    expect(receiver.of('a-4')[0]).toMatchObject({ agentId: 'bob' });
  });

  it('lets the agent end the call; a change of state waits for the wrap-up', async () => {
    await login('dan', 'care-e');
    await inject('e-1', 'care-e');
    expect((await call('POST', dialer('/inbound/calls/e-1/end'))).body).toMatchObject({ error: 'not-talking', status: 'ringing' });
    advanceSec(2);
    // dan asks for a break during the call, and may not move to another team while on it.
    expect((await login('dan', 'care-e', 'not-ready')).body).toMatchObject({ state: 'talking', next: 'not-ready' });
    expect((await login('dan', 'care-x')).status).toBe(409);
    advanceSec(15);
    const ended = await call('POST', dialer('/inbound/calls/e-1/end'));
    expect(ended.body).toMatchObject({ status: 'ended', endedBy: 'agent' });
    expect(await call('POST', dialer('/inbound/calls/e-1/end'))).toEqual(ended); // again: the same answer
    expect((await call('POST', dialer('/inbound/calls/nope/end'))).status).toBe(404);
    await waitFor(() => receiver.of('e-1').length === 3, 'e-1 ended');
    expect(receiver.of('e-1')[2]).toMatchObject({ talkSec: 15, handleSec: 25, endedBy: 'agent' });
    advanceSec(10);
    expect((await call('GET', dialer('/inbound/agents/dan'))).body).toMatchObject({ state: 'not-ready' });
    expect((await call('DELETE', dialer('/inbound/agents/dan'))).body).toEqual({ agentId: 'dan', state: 'logged-out' });
    expect((await call('GET', dialer('/inbound/agents/dan'))).status).toBe(404);
  });
});

describe('the queue', () => {
  it('serves waiting calls first come first served and abandons them after the caller\'s patience or the queue\'s limit', async () => {
    await call('PUT', dialer('/config'), { inbound: { patience: fixed(120) } });
    await login('eve', 'care-b');
    await inject('b-1', 'care-b'); // eve, talking from 2 s to 62 s, wrap-up to 72 s
    await inject('b-2', 'care-b');
    advanceSec(10);
    await inject('b-3', 'care-b');
    expect((await call('GET', dialer('/inbound/teams/care-b'))).body).toMatchObject({ queued: 2, oldestWaitSec: 10, free: [] });
    advanceSec(62); // 72 s: eve is free, b-2 (the older) is hers
    await waitFor(() => receiver.of('b-2').length === 1, 'b-2 offered');
    expect(receiver.of('b-2')[0]).toMatchObject({ event: 'inbound.offered', agentId: 'eve', queueWaitSec: 72 });
    expect(receiver.of('b-3')).toEqual([]);
    advanceSec(60); // 132 s: b-3, in the queue since 10 s, hung up at 130 s
    await waitFor(() => receiver.of('b-3').length === 1, 'b-3 abandoned');
    expect(receiver.of('b-3')[0]).toMatchObject({ event: 'inbound.abandoned', cause: 'caller-hung-up', queueWaitSec: 120 });

    await call('PUT', dialer('/config'), { inbound: { patience: fixed(300), maxWaitSec: 50 } });
    await inject('b-4', 'care-f'); // a team nobody is logged in to
    advanceSec(50);
    await waitFor(() => receiver.of('b-4').length === 1, 'b-4 ended by the queue');
    expect(receiver.of('b-4')[0]).toMatchObject({ event: 'inbound.abandoned', cause: 'max-wait', queueWaitSec: 50 });
    expect((await call('GET', dialer('/inbound/calls/b-4'))).body).toMatchObject({ status: 'abandoned', cause: 'max-wait' });
  });

  it('draws patience and talk from their distributions, the same for the same seed and call', () => {
    const u = (key: string) => (n: number) => unit('s', key, n);
    const exp = Array.from({ length: 4000 }, (_, i) => drawSec({ kind: 'exponential', meanSec: 120 }, u(`p${i}`)));
    const logn = Array.from({ length: 4000 }, (_, i) => drawSec({ kind: 'lognormal', meanSec: 300, sdSec: 150 }, u(`t${i}`)));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(exp)).toBeGreaterThan(110);
    expect(mean(exp)).toBeLessThan(130);
    expect(mean(logn)).toBeGreaterThan(290);
    expect(mean(logn)).toBeLessThan(310);
    expect(drawSec({ kind: 'lognormal', meanSec: 300, sdSec: 150 }, u('t1'))).toBe(logn[1]);
    // Poisson arrivals: gaps exponential with mean 60/rate seconds.
    const gaps = Array.from({ length: 4000 }, (_, i) => arrivalGapMs(12, unit('s', 'gap', i)));
    expect(mean(gaps)).toBeGreaterThan(4_750);
    expect(mean(gaps)).toBeLessThan(5_250);
  });
});

describe('traffic', () => {
  it('brings calls at the configured rate from the directory and unknown numbers, until stopped', async () => {
    await call('PUT', dialer('/config'), { inbound: { patience: fixed(1) } });
    const customers = Array.from({ length: 50 }, (_, i) => ({ customerId: 200001 + i, msisdn: `1990001${String(i).padStart(4, '0')}` }));
    const before = (await call('GET', dialer('/stats'))).body.inbound;
    const started = await call('POST', dialer('/inbound/traffic'), {
      ratePerMinute: 12, customers, unknownCallerShare: 0.2, team: 'care-t', callbackUrl: receiver.hookUrl('traffic'), runId: 'rate',
      reasons: { 'bill-query': 3, complaint: 1 },
    });
    expect(started).toMatchObject({ status: 200, body: { running: true, runId: 'rate', ratePerMinute: 12, callers: 50, calls: 0 } });
    advanceSec(25 * 60);
    const stopped = await call('DELETE', dialer('/inbound/traffic'));
    expect(stopped.body).toMatchObject({ running: false, runId: 'rate' });
    // 300 expected in 25 minutes at 12 a minute (Poisson: sd 17); the seed makes it the same every run.
    const n = stopped.body.calls as number;
    expect(n).toBeGreaterThan(250);
    expect(n).toBeLessThan(350);
    advanceSec(10 * 60);
    const after = (await call('GET', dialer('/stats'))).body.inbound;
    expect(after.arrived - before.arrived).toBe(n);
    const identified = after.identified - before.identified;
    expect(identified / n).toBeGreaterThan(0.7);
    expect(identified / n).toBeLessThan(0.9);
    const complaints = after.byReason.complaint - (before.byReason.complaint ?? 0);
    expect(complaints / n).toBeGreaterThan(0.15);
    expect(complaints / n).toBeLessThan(0.35);

    await waitFor(() => receiver.on('traffic').length === n, 'every call\'s webhook (all abandoned: nobody answers care-t)');
    const events = receiver.on('traffic').map((d) => d.event);
    expect(new Set(events.map((e) => e.callId)).size).toBe(n);
    for (const e of events) {
      expect(e).toMatchObject({ event: 'inbound.abandoned', team: 'care-t', cause: 'caller-hung-up' });
      const known = customers.find((c) => c.msisdn === e.ani);
      expect(e.customerId).toBe(known?.customerId);
    }
    // A run id is one run's: starting it again would reuse its call ids.
    expect((await call('POST', dialer('/inbound/traffic'), { ratePerMinute: 1, runId: 'rate', callbackUrl: receiver.hookUrl('x') })).status).toBe(409);
  });
});

describe('webhook faults', () => {
  it('a duplicated message keeps its webhook-id; a dropped one never comes; a delayed one comes late', async () => {
    await call('PUT', dialer('/config'), { inbound: { patience: fixed(5) }, faults: { duplicateWebhookRate: 1 } });
    await inject('f-dup', 'care-d');
    advanceSec(5);
    await waitFor(() => receiver.of('f-dup').length === 2, 'the abandoned webhook and its copy');
    const [first, copy] = receiver.on('care-d').filter((d) => d.event.callId === 'f-dup');
    expect(copy!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(copy!.raw).toBe(first!.raw);
    expect(new Webhook(secret).verify(copy!.raw, copy!.headers)).toMatchObject({ eventId: 'f-dup/inbound.abandoned' });

    const dropped = (await call('GET', dialer('/stats'))).body.webhooksDropped as number;
    await call('PUT', dialer('/config'), { faults: { duplicateWebhookRate: 0, dropWebhookRate: 1 } });
    await inject('f-drop', 'care-d');
    advanceSec(5);
    expect((await call('GET', dialer('/stats'))).body.webhooksDropped).toBe(dropped + 1);
    await call('PUT', dialer('/config'), { faults: { dropWebhookRate: 0, webhookDelayMs: { min: 200, max: 200 } } });
    await inject('f-late', 'care-d');
    advanceSec(5);
    // Sent after the dropped one would have been: once it is in, the dropped one is not coming.
    await waitFor(() => receiver.of('f-late').length === 1, 'the delayed webhook');
    expect(receiver.of('f-drop')).toEqual([]);
    await call('PUT', dialer('/config'), { faults: { webhookDelayMs: { min: 0, max: 0 } } });
  });
});

describe('bad input', () => {
  it('is refused with 400 and the field paths, and nothing happens', async () => {
    const bad = await call('POST', dialer('/inbound/calls'), { callId: 'x', ani: 'abc', reason: 'Bill', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path)).toEqual(['ani', 'reason', 'extra']);
    const reason = await call('POST', dialer('/inbound/calls'), { callId: 'x', ani: '13800000000', reason: 'weather', callbackUrl: receiver.hookUrl('x') });
    expect(reason.body.issues).toEqual([{ path: 'reason', message: expect.stringContaining('not a reason') }]);
    const noUrl = await call('POST', dialer('/inbound/calls'), { callId: 'x', ani: '13800000000', reason: 'fault' });
    expect(noUrl.body.issues[0].path).toBe('callbackUrl');
    const mix = await call('POST', dialer('/inbound/traffic'), { ratePerMinute: 1, reasons: { weather: 1 }, callbackUrl: receiver.hookUrl('x') });
    expect(mix.body.issues[0].path).toBe('reasons.weather');
    expect((await call('POST', dialer('/inbound/traffic'), { ratePerMinute: 0 })).body.issues[0].path).toBe('ratePerMinute');
    expect((await call('PUT', dialer('/inbound/agents/ann'), { team: 'care-a', state: 'away' })).body.issues[0].path).toBe('state');
    expect((await call('PUT', dialer('/inbound/agents/%20x'), { team: 'care-a', state: 'ready' })).body.issues[0].path).toBe('agentId');
    expect((await call('PUT', dialer('/config'), { inbound: { wrapUp: { kind: 'uniform', minSec: 9, maxSec: 1 } } })).body.issues[0].path).toBe('inbound.wrapUp.maxSec');
    expect((await call('GET', dialer('/inbound/calls/x'))).status).toBe(404);
    expect((await call('GET', dialer('/inbound/traffic'))).body.running).toBe(false);
  });
});
