import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * The secrets the dialer and the courier sign their webhooks with (Standard Webhooks,
 * docs/security.md): `whsec_` and the base64 of 24 to 64 random bytes (the convention's range;
 * we issue 32). The API accepts a list per sender, so a secret can be rotated without a moment
 * where the sender's webhooks are refused.
 */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Why a secret is not one, or undefined. Never repeats the secret: the message ends up in logs. */
export function webhookSecretProblem(secret: string): string | undefined {
  const expected = `expected ${WEBHOOK_SECRET_PREFIX} followed by the base64 of 24 to 64 random bytes`;
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) return `${expected} (no ${WEBHOOK_SECRET_PREFIX} prefix)`;
  const b64 = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!BASE64.test(b64) || b64.length % 4 !== 0) return `${expected} (not base64)`;
  const bytes = Buffer.from(b64, 'base64').length;
  if (bytes < 24 || bytes > 64) return `${expected} (${bytes} bytes)`;
  return undefined;
}

export const WebhookSecret = z.string().superRefine((secret, ctx) => {
  const problem = webhookSecretProblem(secret);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A list as a variable holds it: separated by spaces or commas; unset or blank is none. */
export const splitSecretList = (raw: string | undefined): string[] => (raw ?? '').split(/[\s,]+/).filter(Boolean);

/** `DIALER_WEBHOOK_SECRETS` and the like: the accepted secrets of one sender, the current one first. */
export const WebhookSecretList = z.string().optional().transform(splitSecretList).pipe(z.array(WebhookSecret));

/** A fresh secret, as the stack, the benches and the tests issue them. */
export const newWebhookSecret = (): string => `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
