import { z } from 'zod';

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
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Where the dialer and courier post their webhooks: this API as seen from the outside. */
  PUBLIC_API_URL: z.string().url().default('http://127.0.0.1:3000'),
  DIALER_URL: z.string().url().default('http://127.0.0.1:4001'),
  COURIER_URL: z.string().url().default('http://127.0.0.1:4002'),
  BSS_URL: z.string().url().default('http://127.0.0.1:4003'),
  /** How long one HTTP request to the BSS may take before it counts as a timeout (and is retried). */
  BSS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /**
   * Workflows the worker keeps in memory between their tasks (its sticky cache); the rest live only
   * as their history on the server. Each cached order costs about 1.3 MB of JS heap (2 MB of RSS,
   * `npm run bench -- orders`): every workflow evaluates its own copy of the bundle's modules, zod
   * schemas and all. 500 caps that near 1 GB, where the SDK's default (0.6 workflows per MB of
   * heap limit: 2,300 on a 4 GB heap) would let 10k sleeping orders take 4-5 GB. 500 still holds far
   * more than a worker has in hand at once (40 task slots, a campaign or two, orders between steps
   * seconds apart); an order evicted while it waits days for a timer is replayed (~40 events, some
   * 50 ms of CPU) when the timer fires.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).max(100_000).default(500),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
