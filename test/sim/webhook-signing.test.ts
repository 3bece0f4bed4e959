import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSims, type RunningSims } from '../../sim/index';
import { newWebhookSecret } from '../../infra/webhook-secrets';

// The sims' side of the webhook contract (sim/README.md, Webhook signatures): every attempt is
// signed with the sim's own secret, one message keeps its webhook-id through retries and duplicate
// copies. A bare node:http receiver keeps the bytes and headers as they arrived.

interface Delivery {
  hook: string;
  raw: string;
  headers: Record<string, string>;
}

async function startReceiver() {
  const got: Delivery[] = [];
  const failures = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hook = req.url!.split('/').pop()!;
      const pick = (name: string) => String(req.headers[name] ?? '');
      got.push({ hook, raw: Buffer.concat(chunks).toString('utf8'), headers: { 'webhook-id': pick('webhook-id'), 'webhook-timestamp': pick('webhook-timestamp'), 'webhook-signature': pick('webhook-signature') } });
      const left = failures.get(hook) ?? 0;
      if (left > 0) failures.set(hook, left - 1);
      res.writeHead(left > 0 ? 500 : 200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    hookUrl: (hook: string) => `${url}/hooks/${hook}`,
    on: (hook: string) => got.filter((d) => d.hook === hook),
    failNext: (hook: string, times: number) => failures.set(hook, times),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const secrets = { dialer: newWebhookSecret(), courier: newWebhookSecret() };
let sims: RunningSims;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  receiver = await startReceiver();
  sims = await startSims({
    seed: 'signing',
    webhookSecrets: secrets,
    dialer: { ringMs: { min: 5, max: 20 } },
    courier: { travelMs: { min: 5, max: 20 } },
  });
});
afterAll(async () => {
  await sims?.close();
  await receiver?.close();
});

describe('the sims sign their webhooks', () => {
  it("the dialer signs with its secret; a retried message keeps its id, each attempt signed afresh", async () => {
    receiver.failNext('retried', 2);
    await post(`${sims.dialerUrl}/calls`, { callId: 'sig-1', to: '33612345678', purpose: 'sales', callbackUrl: receiver.hookUrl('retried') });
    await waitFor(() => receiver.on('retried').length === 3, 'two failed attempts and the third');
    const attempts = receiver.on('retried');
    const dialer = new Webhook(secrets.dialer);
    for (const a of attempts) {
      expect(a.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(Math.abs(Number(a.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
      expect(dialer.verify(a.raw, a.headers)).toMatchObject({ callId: 'sig-1' });
      expect(() => new Webhook(secrets.courier).verify(a.raw, a.headers)).toThrow(/No matching signature/);
    }
    expect(new Set(attempts.map((a) => a.headers['webhook-id'])).size).toBe(1);
  });

  it('a duplicate copy is the same message (same id); an outcome sent again on request is a new one', async () => {
    await fetch(`${sims.dialerUrl}/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ faults: { duplicateWebhookRate: 1 } }) });
    const request = { callId: 'sig-dup', to: '33612345678', purpose: 'sales', callbackUrl: receiver.hookUrl('dup') };
    await post(`${sims.dialerUrl}/calls`, request);
    await waitFor(() => receiver.on('dup').length === 2, 'the webhook and its duplicate');
    const [first, copy] = receiver.on('dup');
    expect(copy!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(copy!.raw).toBe(first!.raw);
    await fetch(`${sims.dialerUrl}/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ faults: { duplicateWebhookRate: 0 } }) });

    await post(`${sims.dialerUrl}/calls`, request); // a client asking again: the outcome is sent again
    await waitFor(() => receiver.on('dup').length >= 3, 'the outcome sent again');
    const again = receiver.on('dup').at(-1)!;
    expect(again.headers['webhook-id']).not.toBe(first!.headers['webhook-id']);
    expect(new Webhook(secrets.dialer).verify(again.raw, again.headers)).toMatchObject({ callId: 'sig-dup' });
  });

  it('the courier signs with its own secret', async () => {
    await post(`${sims.courierUrl}/deliveries`, { deliveryId: 'sig-d1', orderId: 'o1', region: 'north', address: '1 Harbour Road', callbackUrl: receiver.hookUrl('courier') });
    await waitFor(() => receiver.on('courier').length === 1, 'the delivery outcome');
    const [report] = receiver.on('courier');
    expect(new Webhook(secrets.courier).verify(report!.raw, report!.headers)).toMatchObject({ deliveryId: 'sig-d1' });
    expect(() => new Webhook(secrets.dialer).verify(report!.raw, report!.headers)).toThrow(/No matching signature/);
  });

  it('a sim without a secret, or with a malformed one, does not start', async () => {
    await expect(startSims({ webhookSecrets: { dialer: '', courier: secrets.courier } })).rejects.toThrow(/^dialer: invalid webhook secret: required/);
    await expect(startSims({ webhookSecrets: { dialer: secrets.dialer, courier: 'whsec_abc=' } })).rejects.toThrow(/^courier: invalid webhook secret/);
  });
});
