import { z } from 'zod';
import { ErrorBody } from './errors';

/** What a webhook answers a sender: received, and whether the report was one we had already. */
export const WebhookAck = z.object({ ok: z.boolean(), duplicate: z.boolean() });
export type WebhookAck = z.infer<typeof WebhookAck>;

/** What else a webhook answers: 401 for one not signed by its sender, 404 for a call or delivery we never made. */
export const WEBHOOK_ERRORS = {
  401: ErrorBody.describe('not signed by the sender (webhook-id, webhook-timestamp, webhook-signature)'),
  404: ErrorBody.describe('no such call or delivery'),
} as const;

/** Webhooks carry the sender's signature (api/webhook-signatures.ts), not a user's credentials. */
export const WEBHOOK_SECURITY = [{ standardWebhooks: [] }];

/**
 * A report recorded first (db/first-report-sql.ts) is then handed to whoever waits for it. It is a
 * duplicate when an earlier report was recorded, or when nobody waits any more (`gone`: the
 * workflow closed, the activity completed). Any other fault is thrown: a 5xx, and the sender
 * retries, which is safe because the record already holds the first report.
 */
export async function handOver(first: boolean, deliver: () => Promise<unknown>, gone: (err: unknown) => boolean): Promise<WebhookAck> {
  try {
    await deliver();
  } catch (err) {
    if (gone(err)) return { ok: true, duplicate: true };
    throw err;
  }
  return { ok: true, duplicate: !first };
}
