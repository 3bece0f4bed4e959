import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../infra/config';
import { newWebhookSecret, splitSecretList, webhookSecretProblem } from '../../infra/webhook-secrets';
import { devWebhookSecrets, webhookSecretEnv } from '../../scripts/stack/webhook-secrets';
import { WebhookSigner, webhookSecretProblem as simSecretProblem } from '../../sim/webhook';

describe('webhook secrets', () => {
  it('are made as whsec_ and the base64 of 32 random bytes, each different', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(a);
    expect(webhookSecretProblem(a)).toBeUndefined();
    expect(simSecretProblem(a)).toBeUndefined();
  });

  it('are refused without the prefix, not base64, or too short or long, without repeating the secret', () => {
    const raw = Buffer.alloc(32, 7).toString('base64');
    for (const bad of [raw, 'whsec_not base64!', 'whsec_abc', `whsec_${Buffer.alloc(16).toString('base64')}`, `whsec_${Buffer.alloc(65).toString('base64')}`]) {
      const problem = webhookSecretProblem(bad);
      expect(problem, bad).toMatch(/^expected whsec_ followed by the base64 of 24 to 64 random bytes/);
      expect(problem).not.toContain(bad.slice(6));
      expect(simSecretProblem(bad), bad).toMatch(/^expected whsec_/);
    }
    expect(simSecretProblem(undefined)).toMatch(/^required/);
  });

  it('lists are separated by spaces or commas; unset or blank is none', () => {
    expect(splitSecretList('a b')).toEqual(['a', 'b']);
    expect(splitSecretList(' a,b ,  c\n')).toEqual(['a', 'b', 'c']);
    expect(splitSecretList('')).toEqual([]);
    expect(splitSecretList(undefined)).toEqual([]);
  });

  it('are read by loadConfig, the current one first; a malformed one is named by its variable and place', () => {
    const [current, previous] = [newWebhookSecret(), newWebhookSecret()];
    const config = loadConfig({ DIALER_WEBHOOK_SECRETS: `${current} ${previous}`, COURIER_WEBHOOK_SECRETS: `${current},${previous}` });
    expect(config.DIALER_WEBHOOK_SECRETS).toEqual([current, previous]);
    expect(config.COURIER_WEBHOOK_SECRETS).toEqual([current, previous]);
    expect(loadConfig({}).DIALER_WEBHOOK_SECRETS).toEqual([]);

    const leaked = 'hunter2hunter2hunter2';
    let err: unknown;
    try {
      loadConfig({ COURIER_WEBHOOK_SECRETS: `${current} whsec_${leaked}` });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/COURIER_WEBHOOK_SECRETS\.1: expected whsec_/);
    expect((err as Error).message).not.toContain(leaked);
  });
});

describe('the sims sign as Standard Webhooks verify', () => {
  it('headers: the given id, the time in seconds, a v1 signature the library accepts and that covers the body', () => {
    const secret = newWebhookSecret();
    const payload = JSON.stringify({ callId: 'c1', disposition: 'busy' });
    const headers = new WebhookSigner(secret, 'dialer').headers('msg_1', payload, new Date());
    expect(headers['webhook-id']).toBe('msg_1');
    expect(Number(headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -1);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+={0,2}$/);
    expect(new Webhook(secret).verify(payload, headers)).toEqual({ callId: 'c1', disposition: 'busy' });
    expect(() => new Webhook(secret).verify(payload.replace('busy', 'accepted'), headers)).toThrow(/No matching signature/);
    expect(() => new Webhook(newWebhookSecret()).verify(payload, headers)).toThrow(/No matching signature/);
  });

  it('a sim refuses a missing or malformed secret', () => {
    expect(() => new WebhookSigner(undefined, 'dialer')).toThrow(/^dialer: invalid webhook secret: required/);
    expect(() => new WebhookSigner('whsec_abc=', 'courier')).toThrow(/^courier: invalid webhook secret: expected whsec_/);
  });
});

describe("the local stack's secrets", () => {
  it('are made once in the data dir, readable by their owner only, and the same on the next start', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'webhook-secrets-'));
    try {
      const first = devWebhookSecrets(dir);
      expect(webhookSecretProblem(first.dialer)).toBeUndefined();
      expect(first.courier).not.toBe(first.dialer);
      const file = path.join(dir, 'webhook-secrets.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(devWebhookSecrets(dir)).toEqual(first);
      writeFileSync(file, JSON.stringify({ ...first, courier: 'oops' }));
      expect(() => devWebhookSecrets(dir)).toThrow(/courier: expected whsec_.*delete the file/);
      expect(readFileSync(file, 'utf8')).toContain('oops');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('go to the API as lists and to each sim as the current one', () => {
    expect(webhookSecretEnv({ dialer: ['d1', 'd0'], courier: ['c1'] })).toEqual({
      DIALER_WEBHOOK_SECRETS: 'd1 d0', COURIER_WEBHOOK_SECRETS: 'c1', DIALER_WEBHOOK_SECRET: 'd1', COURIER_WEBHOOK_SECRET: 'c1',
    });
  });
});
