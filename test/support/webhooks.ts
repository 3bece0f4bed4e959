import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { Webhook } from 'standardwebhooks';
import type { WebhookSender } from '../../api/webhook-signatures';
import type { Harness } from './harness';

export interface SignOptions {
  /** The signing time (default now): what webhook-timestamp says. */
  at?: Date;
  id?: string;
  /** The bytes sent, when they are not JSON.stringify(body) (a tampered or malformed body). */
  payload?: string;
  /** The body the signature covers, when it is not the one sent (a tampered body). */
  signedPayload?: string;
}

/**
 * A webhook as a sender signs it (Standard Webhooks, with the library itself rather than the sims'
 * code, so the API's check is tested against the convention), as app.inject options.
 */
export function signedWebhook(secret: string, url: string, body: unknown, opts: SignOptions = {}): InjectOptions {
  const payload = opts.payload ?? JSON.stringify(body);
  const id = opts.id ?? `msg_${randomUUID().replaceAll('-', '')}`;
  const at = opts.at ?? new Date();
  return {
    method: 'POST',
    url,
    payload,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, opts.signedPayload ?? payload),
    },
  };
}

/** Posts a webhook to the harness's API as its sender would: signed with the sender's current secret. */
export const postWebhook = (h: Harness, sender: WebhookSender, body: unknown, opts: SignOptions = {}) =>
  h.app.inject(signedWebhook(h.webhookSecrets[sender][0]!, `/webhooks/${sender}`, body, opts));
