import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedWebhooks } from '../../api/webhook-signatures';
import { newWebhookSecret } from '../../infra/webhook-secrets';
import { startSims } from '../../sim';
import { startHarness, uniqueId, waitUntil, type Harness } from '../support/harness';
import { postWebhook, signedWebhook, type SignOptions } from '../support/webhooks';

// The API in the middle of a secret rotation: each sender's new secret (the sims sign with it) and
// its previous one are both accepted. Every forged report is aimed at a call still ringing, the
// way an attacker who guessed a call id would mark it accepted to get an order made.

const current = { dialer: newWebhookSecret(), courier: newWebhookSecret() };
const previous = { dialer: newWebhookSecret(), courier: newWebhookSecret() };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    sims: { dialer: { ringMs: { min: 5, max: 20 } } },
    webhookSecrets: { dialer: [current.dialer, previous.dialer], courier: [current.courier, previous.courier] },
  });
});
afterAll(async () => { await h?.close(); });

/** A call placed and still ringing (of a campaign that has ended: nobody is signalled). */
async function ringingCall(): Promise<string> {
  // 'audit-': a call written straight to the table, which the compliance audit test leaves out (it
  // is "placed" now, whatever the hour: outside the calling window from 21:00 in Shanghai).
  const callId = uniqueId('audit-sig-call');
  await h.db.query(`INSERT INTO call_attempts (id, purpose, campaign_id, lead_id, attempt_no) VALUES ($1, 'sales', $2, 1, 1)`, [callId, uniqueId('sig-campaign')]);
  return callId;
}
const disposition = async (callId: string) =>
  (await h.db.query<{ disposition: string | null }>('SELECT disposition FROM call_attempts WHERE id = $1', [callId])).rows[0]!.disposition;
const accepted = (callId: string) => ({ callId, disposition: 'accepted', connected: true, durationSec: 300, endedAt: new Date().toISOString() });
const dialerWebhook = (secret: string, body: unknown, opts?: SignOptions) => h.app.inject(signedWebhook(secret, '/webhooks/dialer', body, opts));
const minutes = (n: number) => new Date(Date.now() + n * 60_000);

/** Refused with 401 and the API's error body, saying why; the call is still undecided. */
async function expectRefused(res: Awaited<ReturnType<typeof dialerWebhook>>, callId: string, why: RegExp) {
  expect(res.statusCode, res.body).toBe(401);
  expect(res.json()).toEqual({ error: 'unauthorized', message: expect.stringMatching(why) });
  expect(await disposition(callId)).toBeNull();
}

describe('a webhook not signed by its sender is refused with 401 and changes nothing', () => {
  it('forged: signed with a secret that is not the dialer\'s (the courier\'s, or made up)', async () => {
    const callId = await ringingCall();
    await expectRefused(await dialerWebhook(newWebhookSecret(), accepted(callId)), callId, /no signature matches/);
    await expectRefused(await dialerWebhook(current.courier, accepted(callId)), callId, /no signature matches/);
  });

  it('unsigned: no signature headers, or one of them missing', async () => {
    const callId = await ringingCall();
    await expectRefused(await h.app.inject({ method: 'POST', url: '/webhooks/dialer', payload: accepted(callId) }), callId, /header is missing/);
    const signed = signedWebhook(current.dialer, '/webhooks/dialer', accepted(callId));
    const { 'webhook-signature': _dropped, ...rest } = signed.headers as Record<string, string>;
    await expectRefused(await h.app.inject({ ...signed, headers: rest }), callId, /header is missing/);
  });

  it('stale: signed more than 5 minutes ago (a replay), or too far ahead of our clock', async () => {
    const callId = await ringingCall();
    await expectRefused(await dialerWebhook(current.dialer, accepted(callId), { at: minutes(-6) }), callId, /more than 5 minutes old/);
    await expectRefused(await dialerWebhook(current.dialer, accepted(callId), { at: minutes(6) }), callId, /ahead of our clock/);
    // within the tolerance either way it counts (clocks differ a little)
    const res = await dialerWebhook(current.dialer, { ...accepted(callId), disposition: 'busy', connected: false, durationSec: 0 }, { at: minutes(-4) });
    expect(res.statusCode, res.body).toBe(200);
    expect(await disposition(callId)).toBe('busy');
  });

  it('tampered: a body other than the one signed', async () => {
    const callId = await ringingCall();
    const real = { ...accepted(callId), disposition: 'no-answer', connected: false, durationSec: 0 };
    await expectRefused(await dialerWebhook(current.dialer, accepted(callId), { signedPayload: JSON.stringify(real) }), callId, /no signature matches/);
    // a signature is over the exact bytes: the same report re-serialised is another body
    await expectRefused(await dialerWebhook(current.dialer, real, { signedPayload: JSON.stringify(real, null, 1) }), callId, /no signature matches/);
  });

  it('checked before the body is read: a forged body that is not JSON, or not a report, is a 401 too', async () => {
    const callId = await ringingCall();
    await expectRefused(await dialerWebhook(newWebhookSecret(), undefined, { payload: '{"callId": ' }), callId, /no signature matches/);
    await expectRefused(await dialerWebhook(newWebhookSecret(), { callId, disposition: 'maybe' }), callId, /no signature matches/);
    // the same signed by the dialer: only then the body's faults are told
    const notJson = await dialerWebhook(current.dialer, undefined, { payload: '{"callId": ' });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().message).toMatch(/JSON/);
    const notReport = await dialerWebhook(current.dialer, { callId, disposition: 'maybe' });
    expect(notReport.statusCode).toBe(400);
    expect(notReport.json().issues.map((i: { path: string }) => i.path)).toContain('body.disposition');
  });

  it('the courier\'s webhook likewise', async () => {
    const delivered = { deliveryId: uniqueId('sig-delivery'), orderId: uniqueId('sig-order'), outcome: 'delivered', at: new Date().toISOString() };
    const forged = await h.app.inject(signedWebhook(current.dialer, '/webhooks/courier', delivered));
    expect(forged.statusCode).toBe(401);
    expect(forged.json().error).toBe('unauthorized');
    // signed by the courier it passes the check, and is refused for what it is: a delivery we never booked
    expect((await postWebhook(h, 'courier', delivered)).statusCode).toBe(404);
  });
});

describe('a secret being rotated', () => {
  it('the previous secret still counts, as does the current one', async () => {
    const callId = await ringingCall();
    const res = await dialerWebhook(previous.dialer, accepted(callId));
    expect(res.statusCode, res.body).toBe(200);
    expect(await disposition(callId)).toBe('accepted');
    // the first report wins, whichever secret signed the repeat
    const repeat = await dialerWebhook(current.dialer, { ...accepted(callId), disposition: 'refused' });
    expect(repeat.json()).toEqual({ ok: true, duplicate: true });
    expect(await disposition(callId)).toBe('accepted');

    const delivered = { deliveryId: uniqueId('sig-delivery'), orderId: uniqueId('sig-order'), outcome: 'delivered', at: new Date().toISOString() };
    expect((await h.app.inject(signedWebhook(previous.courier, '/webhooks/courier', delivered))).statusCode).toBe(404);
  });
});

describe('over HTTP, from the dialer sim', () => {
  it('its signed outcome is recorded; a dialer with a secret we do not have is refused and records nothing', async () => {
    const callId = await ringingCall();
    await fetch(`${h.sims.dialerUrl}/calls`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ callId, to: '33612345678', purpose: 'sales', callbackUrl: `${h.apiUrl}/webhooks/dialer` }),
    });
    await waitUntil('the outcome recorded', async () => (await disposition(callId)) !== null);

    const impostor = await startSims({ webhookSecrets: { dialer: newWebhookSecret(), courier: newWebhookSecret() }, dialer: { ringMs: { min: 5, max: 20 }, webhookRetries: 0 } });
    try {
      const target = await ringingCall();
      await fetch(`${impostor.dialerUrl}/calls`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ callId: target, to: '33612345678', purpose: 'sales', callbackUrl: `${h.apiUrl}/webhooks/dialer` }),
      });
      const stats = await waitUntil('the impostor to give up', async () => {
        const s = await (await fetch(`${impostor.dialerUrl}/stats`)).json() as { webhooksFailed: number; webhooksSent: number };
        return s.webhooksFailed === 1 ? s : undefined;
      });
      expect(stats.webhooksSent).toBe(0);
      expect(await disposition(target)).toBeNull();
    } finally {
      await impostor.close();
    }
  });
});

describe('OpenAPI', () => {
  it('declares the signature scheme, and 400 and 401 on both webhooks', async () => {
    const spec = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(spec.components.securitySchemes.standardWebhooks).toMatchObject({ type: 'apiKey', in: 'header', name: 'webhook-signature' });
    for (const path of ['/webhooks/dialer', '/webhooks/courier']) {
      const op = spec.paths[path].post;
      expect(op.security).toEqual([{ standardWebhooks: [] }]);
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401']));
    }
  });

  it('a webhook route that does not say who signs it, or a sender without secrets, stops the API at start', async () => {
    const secrets = { dialer: [newWebhookSecret()], courier: [newWebhookSecret()] };
    const unsigned = Fastify();
    await expect(unsigned.register(signedWebhooks(secrets, [async (app) => { app.post('/webhooks/other', async () => ({})); }]))).rejects
      .toThrow(/POST \/webhooks\/other: a webhook route must say who signs it \(config.signedBy\)/);
    const noSecrets = Fastify();
    await expect(noSecrets.register(signedWebhooks({ ...secrets, courier: [] }, []))).rejects.toThrow(/^COURIER_WEBHOOK_SECRETS is not set/);
  });
});
