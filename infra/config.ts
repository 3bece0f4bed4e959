import { z } from 'zod';
import { parseListCeilings } from '../domain/campaign/list-limit';
import { WebhookSecret, WebhookSecretList } from './webhook-secrets';
import { PayloadKeysText } from './privacy/payload-keys';
import { parseNetworks } from '../domain/alerts/webhook-address';

/**
 * The one place the environment is read. Every process (worker, API, scripts) calls loadConfig()
 * once at start and passes the result down, so tests can hand their own config to the same code.
 */
const ConfigSchema = z.object({
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:54329/telemarketing'),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('telemarketing'),
  TEMPORAL_UI_URL: z.string().url().default('http://127.0.0.1:8233'),
  /**
   * The keys Temporal payloads are encrypted with, `id=<32 bytes in base64>` separated by commas,
   * the current one first (infra/privacy/payload-keys.ts, docs/security.md). Every process that
   * talks to Temporal needs them and refuses to connect without; the others do not read them.
   */
  TEMPORAL_PAYLOAD_KEYS: PayloadKeysText.optional(),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Where the dialer and courier post their webhooks: this API as seen from the outside. */
  PUBLIC_API_URL: z.string().url().default('http://127.0.0.1:3000'),
  DIALER_URL: z.string().url().default('http://127.0.0.1:4001'),
  COURIER_URL: z.string().url().default('http://127.0.0.1:4002'),
  BSS_URL: z.string().url().default('http://127.0.0.1:4003'),
  /**
   * The secrets the dialer's (the courier's) webhooks may be signed with, separated by spaces or
   * commas: the current one first, and during a rotation the other one too (docs/security.md). The
   * API refuses to start without one; the other processes do not read them.
   */
  DIALER_WEBHOOK_SECRETS: WebhookSecretList,
  COURIER_WEBHOOK_SECRETS: WebhookSecretList,
  /**
   * The secret alerts posted to sales_points_settings.alert_webhook_url are signed with (Standard
   * Webhooks, whsec_…; docs/sales-points.md): the receiver checks it. Only the worker reads it; without
   * it alerts are recorded but never sent (not unsigned). `npm run stack` and the tests make one.
   */
  ALERT_WEBHOOK_SECRET: WebhookSecret.optional(),
  /**
   * `true`: alerts may be posted over plain http and to inside addresses (the loopback, 10.x, …):
   * the tests' and `npm run stack`'s receivers. Never in a deployment, where finance's address must
   * be https on the public internet (domain/alerts/webhook-address.ts, docs/security.md).
   */
  ALERT_WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /**
   * Inside networks an alert receiver may be in nonetheless, `address/prefix` separated by commas
   * or spaces (an own chat gateway: `10.20.0.0/16`); https still. None by default.
   */
  ALERT_WEBHOOK_ALLOWED_NETWORKS: z.string().default('').transform((text) => text.split(/[\s,]+/).filter(Boolean)).superRefine((networks, ctx) => {
    const fault = parseNetworks(networks.join(' '));
    if (typeof fault === 'string') ctx.addIssue({ code: 'custom', message: fault });
  }),
  /** How long one HTTP request to the BSS may take before it counts as a timeout (and is retried). */
  BSS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /**
   * Workflows the worker keeps in memory between their tasks (its sticky cache); the others live
   * only as their history on the server and are replayed when their next event comes. Each cached
   * order holds about 1.3 MB of JS heap (`npm run bench -- orders`): every workflow evaluates its own
   * copy of the bundle's modules, the domain's zod schemas above all. V8 lets a heap grow to a few
   * times its live data between full collections, so the worker's RSS follows the cache: with 10k
   * orders asleep, 250 cached gave 1.0-2.2 GB of RSS, 500 gave 1.9-3.1 GB, and the SDK's default
   * (0.6 per MB of heap limit, 2,300 on a 4 GB heap) would hold 3 GB of live orders alone. 250 is
   * still far more than a worker has in hand at once (40 task slots, a campaign or two, orders
   * between steps seconds apart); an order evicted while it sleeps for days costs one replay
   * (~40 events, some 50 ms of CPU) when its timer fires.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).max(100_000).default(250),
  /**
   * Where the worker serves GET /metrics for Prometheus: its own metrics and the Temporal SDK's
   * (workers/metrics.ts). No token guards it, so it listens on the loopback unless told otherwise
   * (a deployment: 0.0.0.0 on a private network, as docker-compose.yml). Port 0: any free port,
   * which the worker prints (the tests' workers).
   */
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /**
   * How the API checks bearer tokens (JWT): one of a shared secret (HS256, at least 32 characters),
   * a public key (PEM; RS256, ES256 or EdDSA tokens) or an issuer whose JWKS
   * (`<issuer>/.well-known/jwks.json`) holds the keys. The API refuses to start without one;
   * `npm run stack` and the tests make a development secret (docs/security.md).
   */
  AUTH_JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  AUTH_JWT_PUBLIC_KEY: z.string().includes('-----BEGIN PUBLIC KEY-----', { message: 'a PEM public key' }).optional(),
  AUTH_JWKS_ISSUER: z.string().url().optional(),
  /** When set, a token must name this audience (`aud`). */
  AUTH_JWT_AUDIENCE: z.string().min(1).optional(),
  /**
   * How many leads one campaign may list, per role that launches campaigns (`role=n,…`); only an
   * admin may list a whole segment (`everyone: true`).
   */
  MAX_LEADS_PER_ROLE: z.string().default('marketing=200000,admin=5000000').superRefine((text, ctx) => {
    const ceilings = parseListCeilings(text);
    if (typeof ceilings === 'string') ctx.addIssue({ code: 'custom', message: ceilings });
  }),
  /** Requests per minute one principal (a token's subject) may make; 429 with Retry-After past it. */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10_000_000).default(1_200),
  /** Requests per minute from one address, whatever their token (ten times the above unless set). */
  API_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000_000).optional(),
  /**
   * The operator's time zone: sales-points months (docs/sales-points.md) are its calendar months, and
   * the month-end reconciliation's Schedule runs at 02:00 on the 1st in it.
   */
  OPERATOR_TIME_ZONE: z.string().min(1).default('Asia/Shanghai').refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone, e.g. Asia/Shanghai'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * A test hook, never set outside tests: `kill-mid-launch` makes the API kill itself (SIGKILL)
   * between the two steps of POST /campaigns, so a test can show a launch cut there still ends with
   * the campaign launched (test/e2e/launch-crash.e2e.test.ts).
   */
  API_FAULT: z.enum(['kill-mid-launch']).optional(),
}).superRefine((c, ctx) => {
  const modes = (['AUTH_JWT_SECRET', 'AUTH_JWT_PUBLIC_KEY', 'AUTH_JWKS_ISSUER'] as const).filter((k) => c[k]);
  if (modes.length > 1) ctx.addIssue({ code: 'custom', path: [modes[1]!], message: `one way to check tokens, not ${modes.join(' and ')}` });
  // An identity provider issues tokens for other applications too; only ours may get in.
  if ((c.AUTH_JWT_PUBLIC_KEY || c.AUTH_JWKS_ISSUER) && !c.AUTH_JWT_AUDIENCE) {
    ctx.addIssue({ code: 'custom', path: ['AUTH_JWT_AUDIENCE'], message: 'required with AUTH_JWT_PUBLIC_KEY or AUTH_JWKS_ISSUER: the audience (aud) of this API\'s tokens' });
  }
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
