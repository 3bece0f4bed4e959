import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { HttpError } from './errors';
import { webhookVerificationFailures } from '../infra/metrics';

/** The systems that post us webhooks, each signing with secrets of its own. */
export type WebhookSender = 'dialer' | 'courier';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route is a webhook: the request must carry this sender's Standard Webhooks signature
     * (checked by signedWebhooks below) instead of a user's credentials.
     */
    signedBy?: WebhookSender;
  }
  interface FastifyRequest {
    /** The body as received, which the signature covers: set on the webhook routes only. */
    rawBody?: Buffer;
  }
}

/** The accepted secrets of each sender (infra/config.ts), the current one first. */
export type WebhookSecrets = Record<WebhookSender, string[]>;

const SECRET_VARIABLES: Record<WebhookSender, string> = { dialer: 'DIALER_WEBHOOK_SECRETS', courier: 'COURIER_WEBHOOK_SECRETS' };

/** The body the JSON parser could not read, kept until the signature says who sent it. */
const unparsed = new WeakMap<FastifyRequest, Error>();

/**
 * The webhook routes, in a context of their own where every request must be signed by the sender
 * its route names (`config: { signedBy }`), Standard Webhooks style: headers `webhook-id`,
 * `webhook-timestamp` and `webhook-signature` (`v1,` and the base64 HMAC-SHA256 of
 * `<id>.<timestamp>.<raw body>`), the timestamp within 5 minutes of our clock either way (a replay
 * of an old webhook is refused). Any of the sender's secrets may have signed it, so a secret can
 * be rotated (docs/security.md). Checked before validation: whoever cannot sign gets a 401 and
 * learns nothing about what a valid body looks like.
 */
export const signedWebhooks = (secrets: WebhookSecrets, routes: FastifyPluginAsyncZod[]): FastifyPluginAsyncZod => async (app) => {
  const verifiers = {} as Record<WebhookSender, Webhook[]>;
  for (const sender of Object.keys(SECRET_VARIABLES) as WebhookSender[]) {
    if (secrets[sender].length === 0) {
      throw new Error(`${SECRET_VARIABLES[sender]} is not set: the ${sender}'s webhooks could not be verified (see docs/security.md)`);
    }
    verifiers[sender] = secrets[sender].map((secret) => new Webhook(secret));
    // Every sender and reason from 0, so the first forged webhook is an increase an alert sees.
    for (const reason of FAILURE_REASONS) webhookVerificationFailures.inc({ sender, reason }, 0);
  }

  // The signature covers the bytes as sent: the body is kept as received, then parsed by Fastify's
  // own JSON parser (prototype poisoning refused as everywhere else). A body that is not JSON is
  // answered 400 only once its signature is known good.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.decorateRequest('rawBody', undefined);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    parseJson(request, request.rawBody.toString('utf8'), (err, value) => {
      if (err) unparsed.set(request, err);
      done(null, err ? undefined : value);
    });
  });

  app.addHook('onRoute', (route) => {
    if (!route.config?.signedBy) throw new Error(`${route.method} ${route.url}: a webhook route must say who signs it (config.signedBy)`);
  });

  app.addHook('preValidation', async (request) => {
    const sender = request.routeOptions.config.signedBy!;
    const failure = signatureProblem(verifiers[sender], request);
    if (failure) {
      webhookVerificationFailures.inc({ sender, reason: failure.reason });
      request.log.warn({ sender, webhookId: request.headers['webhook-id'], problem: failure.problem }, 'webhook refused: not signed by the sender');
      throw new HttpError(401, 'unauthorized', `webhook signature: ${failure.problem}; it must be signed by the ${sender} (see the webhook contract)`);
    }
    request.signatureVerified = true;
    const err = unparsed.get(request);
    if (err) throw err;
  });

  for (const route of routes) await app.register(route);
};

/** Why none of the sender's secrets signed this request (in words, and as the metric's reason), or undefined when one did. */
function signatureProblem(verifiers: Webhook[], request: FastifyRequest): Failure | undefined {
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : '';
  };
  const headers = { 'webhook-id': header('webhook-id'), 'webhook-timestamp': header('webhook-timestamp'), 'webhook-signature': header('webhook-signature') };
  const body = request.rawBody ?? Buffer.alloc(0);
  let failure: Failure = { reason: 'no-match', problem: 'not signed' };
  for (const verifier of verifiers) {
    try {
      verifier.verify(body, headers, { jsonParse: false });
      return undefined;
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) throw err;
      failure = PROBLEMS[err.message] ?? { reason: 'no-match', problem: err.message };
    }
  }
  return failure;
}

/** Why a webhook was refused, as `telemarketing_webhook_verification_failures_total` labels it. */
const FAILURE_REASONS = ['missing-header', 'bad-timestamp', 'too-old', 'too-new', 'no-match'] as const;
interface Failure {
  reason: (typeof FAILURE_REASONS)[number];
  problem: string;
}

/** The library's reasons, in the words of our contract. */
const PROBLEMS: Record<string, Failure> = {
  'Missing required headers': { reason: 'missing-header', problem: 'a webhook-id, webhook-timestamp or webhook-signature header is missing' },
  'Invalid Signature Headers': { reason: 'bad-timestamp', problem: 'webhook-timestamp is not a number of seconds' },
  'Message timestamp too old': { reason: 'too-old', problem: 'webhook-timestamp is more than 5 minutes old (a replay, or a clock far behind)' },
  'Message timestamp too new': { reason: 'too-new', problem: 'webhook-timestamp is more than 5 minutes ahead of our clock' },
  'No matching signature found': { reason: 'no-match', problem: 'no signature matches (signed with another secret, or the body was changed)' },
};
