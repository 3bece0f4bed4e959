import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { createAlertActivities } from '../../activities/alerts/delivery';
import { AddressRefused, checkedLookup, type Resolve } from '../../activities/alerts/webhook-post';
import { buildApp } from '../../api/app';
import { raiseAlert } from '../../db/alerts/alerts-sql';
import { STRICT, webhookAddressPolicy } from '../../domain/alerts/webhook-address';
import { loadConfig } from '../../infra/config';
import { createPool, type Db } from '../../infra/db';
import { connectClient } from '../../infra/temporal';
import { newWebhookSecret } from '../../infra/webhook-secrets';
import { devToken } from '../../scripts/stack/tokens';
import { ownDatabase } from '../support/own-database';
import { uniqueId } from '../support/harness';

/**
 * Alerts go only where they may (domain/alerts/webhook-address.ts: https on the public internet
 * unless configured otherwise), checked when finance sets the address and on every post against the
 * addresses its name resolves to; and one alert is posted once when two attempts meet on it. On a
 * database of this file's own: the alert address is one setting for everybody.
 */
let db: Db;
let receiver: http.Server;
let receiverUrl: string;
const posts: { id: string; body: string }[] = [];
/** How the receiver answers the next posts, and how long it takes (so two attempts overlap). */
let answer = { status: 204, delayMs: 0, location: undefined as string | undefined };
const secret = newWebhookSecret();
const permissive = webhookAddressPolicy(true, []);
/** A resolver that knows one made-up name, as a DNS server an attacker runs would answer it. */
const resolverOf = (addresses: string[]): Resolve => (hostname, _options, callback) =>
  hostname === 'alerts.example.test'
    ? callback(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })))
    : callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);

beforeAll(async () => {
  db = createPool(await ownDatabase('alerts', 0), 10);
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      posts.push({ id: String(req.headers['webhook-id']), body });
      setTimeout(() => res.writeHead(answer.status, answer.location ? { location: answer.location } : {}).end(), answer.delayMs);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
});
afterAll(async () => {
  receiver?.close();
  await db?.end();
});
beforeEach(() => { answer = { status: 204, delayMs: 0, location: undefined }; });

const setUrl = (url: string | null) => db.query('UPDATE sales_points_settings SET alert_webhook_url = $1', [url]);
const newAlert = async () => (await raiseAlert(db, { kind: 'test', subject: uniqueId('alert'), level: '80%', message: 'm' })).id;
const row = async (id: number) => (await db.query<{ delivered_at: Date | null; delivery_attempts: number; last_error: string | null; delivering_until: Date | null }>(
  'SELECT delivered_at, delivery_attempts, last_error, delivering_until FROM alerts WHERE id = $1', [id])).rows[0]!;
const postsOf = (id: number) => posts.filter((p) => p.id === String(id));
const failureOf = async (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (err: unknown) => err as Error);

describe('an alert address inside the network', () => {
  const activities = (deps: Partial<Parameters<typeof createAlertActivities>[0]>) => createAlertActivities({ db, secret, timeoutMs: 2000, ...deps });

  it('is refused before anything is sent, written out or as localhost; the refusal is recorded and not retried', async () => {
    const acts = activities({ policy: STRICT });
    for (const [url, reason] of [
      [receiverUrl, /an https address/],
      [receiverUrl.replace('http:', 'https:'), /127\.0\.0\.1 is a loopback address/],
      ['https://10.0.0.1/alerts', /10\.0\.0\.1 is a private address/],
      ['https://169.254.169.254/latest/meta-data/', /link-local/],
      [`https://localhost:${(receiver.address() as AddressInfo).port}/alerts`, /localhost is this machine/],
    ] as const) {
      await setUrl(url);
      const id = await newAlert();
      const err = await failureOf(acts.deliverAlert(id));
      expect(err, url).toBeInstanceOf(ApplicationFailure);
      expect((err as ApplicationFailure).type).toBe('AlertAddressRefused');
      expect((err as ApplicationFailure).nonRetryable).toBe(true);
      expect(await row(id), url).toMatchObject({ delivered_at: null, delivery_attempts: 1, last_error: expect.stringMatching(reason), delivering_until: null });
      expect(postsOf(id)).toEqual([]);
    }
  });

  it('is refused when its name resolves to one, at the connection itself (a rebinding name too)', async () => {
    await setUrl(`https://alerts.example.test:${(receiver.address() as AddressInfo).port}/alerts`);
    for (const addresses of [['127.0.0.1'], ['93.184.216.34', '10.1.2.3'], ['::ffff:169.254.169.254']]) {
      const id = await newAlert();
      const err = await failureOf(activities({ policy: STRICT, resolve: resolverOf(addresses) }).deliverAlert(id));
      expect((err as ApplicationFailure).type, addresses.join()).toBe('AlertAddressRefused');
      expect((await row(id)).last_error).toMatch(/alerts\.example\.test: .* is a (loopback|private|link-local) address/);
      expect(postsOf(id)).toEqual([]);
    }
    // The system's resolver: localhost is the loopback whatever the URL check said of the name.
    const lookup = checkedLookup(STRICT);
    const refused = await new Promise<Error | null>((resolve) => lookup('localhost', {}, (err) => resolve(err)));
    expect(refused).toBeInstanceOf(AddressRefused);
    expect(refused!.message).toMatch(/^localhost: (127\.0\.0\.1 is a loopback address|::1 is a loopback address)/);
    const allowed = await new Promise<string>((resolve, reject) => checkedLookup(permissive)('localhost', {}, (err, address) => (err ? reject(err) : resolve(address as string))));
    expect(allowed).toMatch(/^(127\.0\.0\.1|::1)$/);
  });

  it('is posted to when allowed, connected to the address the check saw', async () => {
    // The made-up name exists only in our resolver: the post reaches the receiver through it alone.
    await setUrl(`http://alerts.example.test:${(receiver.address() as AddressInfo).port}/alerts`);
    const id = await newAlert();
    expect(await activities({ policy: permissive, resolve: resolverOf(['127.0.0.1']) }).deliverAlert(id)).toEqual({ delivered: true });
    expect(postsOf(id)).toHaveLength(1);
    expect(await row(id)).toMatchObject({ delivered_at: expect.any(Date), delivery_attempts: 1, last_error: null, delivering_until: null });
  });

  it('is not reached through a redirect: the answer is recorded, not followed', async () => {
    await setUrl(receiverUrl);
    answer = { status: 302, delayMs: 0, location: 'http://169.254.169.254/latest/meta-data/' };
    const id = await newAlert();
    const err = await failureOf(activities({ policy: permissive }).deliverAlert(id));
    expect((err as ApplicationFailure).type).toBe('AlertRefused');
    expect(await row(id)).toMatchObject({ delivered_at: null, last_error: 'the alert address answered 302 (a redirect: not followed)', delivering_until: null });
  });
});

describe('one alert, two attempts at once', () => {
  const acts = () => createAlertActivities({ db, secret, policy: permissive, timeoutMs: 2000 });

  it('an escalation\'s delivery and the budget watch\'s pass post it once', async () => {
    await setUrl(receiverUrl);
    answer = { status: 204, delayMs: 300, location: undefined };
    const id = await newAlert();
    const [first, second] = await Promise.allSettled([acts().deliverAlert(id), acts().deliverAlert(id)]);
    expect(postsOf(id)).toHaveLength(1);
    const outcomes = [first, second].map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message));
    expect(outcomes).toContainEqual({ delivered: true });
    expect(outcomes).toContainEqual(expect.stringMatching(new RegExp(`alert ${id} is being posted by another attempt`)));
    // The one turned away retries (the activity's policy) and finds it delivered; a pass skips it.
    expect(await acts().deliverAlert(id)).toEqual({ delivered: true });
    // A pass over undelivered alerts meeting a delivery on another one: posted once as well.
    const other = await newAlert();
    const [delivery, pass] = await Promise.allSettled([acts().deliverAlert(other), acts().deliverUndeliveredAlerts(100)]);
    expect(pass).toMatchObject({ status: 'fulfilled' });
    if (delivery.status === 'rejected') expect((delivery.reason as Error).message).toMatch(/being posted by another attempt/);
    else expect(delivery.value).toEqual({ delivered: true });
    expect(postsOf(other)).toHaveLength(1);
    expect(postsOf(id)).toHaveLength(1);
    expect(await row(id)).toMatchObject({ delivery_attempts: 1, delivered_at: expect.any(Date), delivering_until: null });
    expect(await row(other)).toMatchObject({ delivery_attempts: 1, delivered_at: expect.any(Date), delivering_until: null });
  });

  it('an attempt that died mid-post holds the alert until its lease runs out; then the next one posts it', async () => {
    await setUrl(receiverUrl);
    const id = await newAlert();
    await db.query("UPDATE alerts SET delivering_until = now() + interval '1 hour' WHERE id = $1", [id]);
    expect((await failureOf(acts().deliverAlert(id))).message).toMatch(/being posted by another attempt/);
    await acts().deliverUndeliveredAlerts(1000);
    expect(postsOf(id)).toEqual([]);
    await db.query("UPDATE alerts SET delivering_until = now() - interval '1 second' WHERE id = $1", [id]);
    expect(await acts().deliverAlert(id)).toEqual({ delivered: true });
    expect(postsOf(id)).toHaveLength(1);
  });

  it('a failed post gives the alert back at once, so the retry is not held by its own lease', async () => {
    await setUrl(receiverUrl);
    answer = { status: 503, delayMs: 0, location: undefined };
    const id = await newAlert();
    expect((await failureOf(acts().deliverAlert(id))).message).toBe('the alert address answered 503');
    expect(await row(id)).toMatchObject({ delivery_attempts: 1, delivering_until: null });
    answer = { status: 204, delayMs: 0, location: undefined };
    expect(await acts().deliverAlert(id)).toEqual({ delivered: true });
    expect(await row(id)).toMatchObject({ delivery_attempts: 2, last_error: null });
  });
});

describe('finance setting the address (PUT /sales-points/settings)', () => {
  let client: Client;
  let app: FastifyInstance;
  let finance: string;
  beforeAll(async () => {
    const config = loadConfig({
      DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_PAYLOAD_KEYS: inject('payloadKeys'),
      TEMPORAL_TASK_QUEUE: 'unused', AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
      DIALER_WEBHOOK_SECRETS: newWebhookSecret(), COURIER_WEBHOOK_SECRETS: newWebhookSecret(),
      ALERT_WEBHOOK_ALLOWED_NETWORKS: '10.20.0.0/16', // and not ALERT_WEBHOOK_ALLOW_PRIVATE: a deployment's
    });
    client = await connectClient(config);
    app = await buildApp({ db, client, config });
    finance = `Bearer ${devToken(config.AUTH_JWT_SECRET!, 'fiona', ['finance'])}`;
  });
  afterAll(async () => {
    await app?.close();
    await client?.connection.close();
  });
  const put = (alertWebhookUrl: string | null) =>
    app.inject({ method: 'PUT', url: '/sales-points/settings', headers: { authorization: finance }, payload: { alertWebhookUrl } });

  it('takes an https address on the public internet or in an allowed network, and none', async () => {
    for (const url of ['https://alerts.example.com/finance', 'https://10.20.3.4/hook', null]) {
      const res = await put(url);
      expect(res.statusCode, String(url)).toBe(200);
      expect(res.json()).toMatchObject({ alertWebhookUrl: url });
    }
  });

  it('refuses plain http, an inside address and localhost with a 422 naming the field; not a URL, a 400', async () => {
    for (const url of ['http://alerts.example.com/finance', 'https://127.0.0.1/x', 'https://[::1]/x', 'https://169.254.169.254/', 'https://10.21.0.1/', 'https://localhost/x', 'https://0x7f000001/']) {
      const res = await put(url);
      expect(res.statusCode, url).toBe(422);
      expect(res.json().issues, url).toEqual([{ path: 'body.alertWebhookUrl', message: expect.any(String) }]);
    }
    expect((await put('ftp://alerts.example.com/')).statusCode).toBe(400);
    expect((await put('javascript:alert(1)')).statusCode).toBe(400);
    expect((await db.query('SELECT alert_webhook_url FROM sales_points_settings')).rows[0]).toEqual({ alert_webhook_url: null });
  });
});
