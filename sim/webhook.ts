import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { Webhook } from 'standardwebhooks';
import type { SimOptions } from './service';
import { TimerSet } from './timers';

/** What a sim that sends webhooks needs besides SimOptions: the secret it signs them with. */
export interface WebhookSimOptions extends SimOptions {
  webhookSecret: string;
}

/** Why a sim cannot sign with this secret, or undefined. Never repeats the secret. */
export function webhookSecretProblem(secret: string | undefined): string | undefined {
  if (!secret) return 'required: every webhook is signed with it (whsec_…, see sim/README.md)';
  const expected = 'expected whsec_ followed by the base64 of 24 to 64 random bytes';
  if (!secret.startsWith('whsec_')) return expected;
  try {
    new Webhook(secret);
  } catch (err) {
    return `${expected} (${(err as Error).message})`;
  }
  const bytes = Buffer.from(secret.slice('whsec_'.length), 'base64').length;
  return bytes < 24 || bytes > 64 ? `${expected} (${bytes} bytes)` : undefined;
}

/**
 * Signs a sim's webhooks the Standard Webhooks way (sim/README.md, Webhook signatures). A sim
 * without a valid secret does not start: an unsigned webhook would only be refused, retried and
 * given up on, which is harder to tell from an outage than a sim that will not start.
 */
export class WebhookSigner {
  private readonly webhook: Webhook;

  constructor(secret: string | undefined, sim: string) {
    const problem = webhookSecretProblem(secret);
    if (problem) throw new Error(`${sim}: invalid webhook secret: ${problem}`);
    this.webhook = new Webhook(secret!);
  }

  /** The headers of one attempt: the message's id, the same on every attempt; the time of this one. */
  headers(id: string, payload: string, at = new Date()): Record<string, string> {
    return {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': this.webhook.sign(id, at, payload),
    };
  }
}

/** The subset of a pino / Fastify logger the webhook sender needs. */
export interface WebhookLog {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface DeliverOptions {
  /** Signs every attempt (each with its own timestamp, all with the message's one id). */
  signer: WebhookSigner;
  /** Further attempts after the first one fails. */
  retries?: number;
  log?: WebhookLog;
  /** Lets the owning sim stop backoff waits and in-flight requests on close(). */
  timers?: TimerSet;
  /** First backoff wait; doubled on each retry, capped at maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A receiver that hangs counts as a failed attempt after this long. */
  attemptTimeoutMs?: number;
  /**
   * When set, an identical second copy is sent this long after the first one
   * starts, the way real providers occasionally double-deliver. Receivers must
   * deduplicate; the caller decides (by hash) when to ask for it.
   */
  duplicateAfterMs?: number;
  /** Called once per copy the receiver acknowledged with a 2xx. */
  onDelivered?: (copy: 'original' | 'duplicate') => void;
}

const silent: WebhookLog = { debug: () => {}, warn: () => {} };

/**
 * POST body as JSON to url, signed, retrying on network errors and non-2xx answers.
 * Never throws: a receiver that stays down is logged and given up on, exactly
 * like a real provider would. Resolves whether the original copy got through.
 * One message, one webhook-id: its retries and its duplicate copy carry the same.
 */
export async function deliver(url: string, body: unknown, options: DeliverOptions): Promise<boolean> {
  const timers = options.timers ?? new TimerSet();
  const id = `msg_${randomUUID().replaceAll('-', '')}`;
  if (options.duplicateAfterMs !== undefined) {
    timers.after(options.duplicateAfterMs, () => {
      void send(url, id, body, options, timers, 'duplicate');
    });
  }
  return send(url, id, body, options, timers, 'original');
}

async function send(
  url: string,
  id: string,
  body: unknown,
  options: DeliverOptions,
  timers: TimerSet,
  copy: 'original' | 'duplicate',
): Promise<boolean> {
  const log = options.log ?? silent;
  const retries = options.retries ?? 8;
  const backoffMs = options.backoffMs ?? 200;
  const maxBackoffMs = options.maxBackoffMs ?? 10_000;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 5_000;
  const payload = JSON.stringify(body);

  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    if (timers.closed) return false;
    let failure: string;
    try {
      const status = await post(url, payload, options.signer.headers(id, payload), attemptTimeoutMs, timers);
      if (status >= 200 && status < 300) {
        options.onDelivered?.(copy);
        log.debug({ url, copy, attempt }, 'webhook delivered');
        return true;
      }
      failure = `HTTP ${status}`;
    } catch (err) {
      if (timers.closed) return false;
      failure = err instanceof Error ? err.message : String(err);
    }
    if (attempt > retries) {
      log.warn({ url, copy, attempts: attempt, failure }, 'webhook given up');
      return false;
    }
    const wait = Math.min(backoffMs * 2 ** (attempt - 1), maxBackoffMs);
    log.debug({ url, copy, attempt, failure, retryInMs: wait }, 'webhook attempt failed');
    if (!(await timers.sleep(wait))) return false;
  }
  return false;
}

// Sockets kept open between webhooks: a sim sends thousands a second to the same receiver.
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

/**
 * One POST, answering the status code. Written on node:http rather than fetch: at a webhook per
 * call, fetch (and the AbortSignal.any a timeout plus close() needs with it) cost the sim more CPU
 * than the system under test spends on the same call, which skewed the benchmarks.
 */
function post(url: string, payload: string, signature: Record<string, string>, timeoutMs: number, timers: TimerSet): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const lib = target.protocol === 'https:' ? https : http;
    const req = lib.request(target, {
      method: 'POST',
      agent: agents[target.protocol as keyof typeof agents],
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...signature },
    });
    const abort = () => req.destroy(new Error('sim closed'));
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    timers.signal.addEventListener('abort', abort, { once: true });
    req.on('close', () => {
      clearTimeout(timer);
      timers.signal.removeEventListener('abort', abort);
    });
    req.on('error', reject);
    req.on('response', (res) => {
      // Drained so the keep-alive socket is reusable.
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.end(payload);
  });
}

/** The counters every sim keeps about its webhooks. */
export interface WebhookStats {
  webhooksSent: number;
  duplicatesSent: number;
  webhooksFailed: number;
}

/**
 * Sends one outcome webhook in the background, twice when the duplicate fault fired for it, and
 * counts what the receiver acknowledged.
 */
export function sendOutcome(opts: {
  url: string;
  body: unknown;
  duplicate: boolean;
  duplicateAfterMs: number;
  retries: number;
  log?: WebhookLog;
  timers: TimerSet;
  stats: WebhookStats;
  signer: WebhookSigner;
}): void {
  const { stats, timers } = opts;
  void deliver(opts.url, opts.body, {
    signer: opts.signer,
    retries: opts.retries,
    log: opts.log,
    timers,
    duplicateAfterMs: opts.duplicate ? opts.duplicateAfterMs : undefined,
    onDelivered: (copy) => {
      stats.webhooksSent += 1;
      if (copy === 'duplicate') stats.duplicatesSent += 1;
    },
  }).then((delivered) => {
    if (!delivered && !timers.closed) stats.webhooksFailed += 1;
  });
}
