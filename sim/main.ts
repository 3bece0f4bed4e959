import pino from 'pino';
import { z } from 'zod';
import { BssConfigSchema } from './bss';
import { CourierConfigSchema } from './courier';
import { DialerConfigSchema } from './dialer';
import { DEFAULT_PORTS, startSims, type StartSimsOptions } from './index';
import { webhookSecretProblem } from './webhook';

// `npm run sims`: the three simulated external systems on fixed ports, for
// the worker and the demo to talk to as if they were the real ones.

const port = (fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, 'expected a port number')
    .default(String(fallback))
    .transform(Number)
    .pipe(z.number().max(65535, 'expected a port number up to 65535'));

const EnvSchema = z.object({
  DIALER_PORT: port(DEFAULT_PORTS.dialer),
  COURIER_PORT: port(DEFAULT_PORTS.courier),
  BSS_PORT: port(DEFAULT_PORTS.bss),
  SIM_HOST: z.string().min(1).default('127.0.0.1'),
  SIM_SEED: z.string().min(1).default('42'),
  SIM_CONFIG: z.string().optional(),
  SIM_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Checked below, with a message of their own: the secrets the dialer and the courier sign with.
  DIALER_WEBHOOK_SECRET: z.string().optional(),
  COURIER_WEBHOOK_SECRET: z.string().optional(),
  /** The token the self-service channels order at the API with, when config selfService is enabled. */
  SELF_SERVICE_API_TOKEN: z.string().optional(),
});

const SimConfigSchema = z.strictObject({
  dialer: DialerConfigSchema.optional(),
  courier: CourierConfigSchema.optional(),
  bss: BssConfigSchema.optional(),
});

function fail(variable: string, why: string): never {
  console.error(`sim: invalid ${variable}: ${why}`);
  process.exit(1);
}

function readEnv() {
  // An empty variable (FOO= in a .env file) means "not set".
  const present = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== ''));
  const env = EnvSchema.safeParse(present);
  if (!env.success) {
    const issue = env.error.issues[0]!;
    fail(String(issue.path[0]), issue.message);
  }
  for (const variable of ['DIALER_WEBHOOK_SECRET', 'COURIER_WEBHOOK_SECRET'] as const) {
    const problem = webhookSecretProblem(env.data[variable]);
    if (problem) fail(variable, problem);
  }
  return env.data;
}

function readSimConfig(raw: string | undefined): Pick<StartSimsOptions, 'dialer' | 'courier' | 'bss'> {
  if (raw === undefined) return {};
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    fail('SIM_CONFIG', `not valid JSON (${(err as Error).message})`);
  }
  const parsed = SimConfigSchema.safeParse(json);
  if (!parsed.success) {
    fail('SIM_CONFIG', parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  }
  // Pass the JSON as written, not the defaulted parse: a sim config without
  // its own seed must still get SIM_SEED.
  return json as Pick<StartSimsOptions, 'dialer' | 'courier' | 'bss'>;
}

const env = readEnv();
const logger = pino({ level: env.SIM_LOG_LEVEL });
const sims = await startSims({
  host: env.SIM_HOST,
  seed: env.SIM_SEED,
  ports: { dialer: env.DIALER_PORT, courier: env.COURIER_PORT, bss: env.BSS_PORT },
  logger,
  webhookSecrets: { dialer: env.DIALER_WEBHOOK_SECRET!, courier: env.COURIER_WEBHOOK_SECRET! },
  ...(env.SELF_SERVICE_API_TOKEN ? { selfServiceToken: env.SELF_SERVICE_API_TOKEN } : {}),
  ...readSimConfig(env.SIM_CONFIG),
}).catch((err: unknown) => {
  logger.fatal({ err }, 'sims failed to start');
  process.exit(1);
});

const shutdown = async (signal: string) => {
  logger.info({ signal }, 'sims shutting down');
  await sims.close();
  process.exit(0);
};
// once: a second Ctrl-C falls through to the default and kills at once.
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
