import { randomBytes } from 'node:crypto';
import { Runtime } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../infra/config';
import { createPool, migrate, type Db } from '../infra/db';
import { connectClient } from '../infra/temporal';
import { generateCustomers, seedRegions } from '../db/customers-generator';
import { ensureDatabase, ensurePostgres, splitDatabaseUrl } from '../scripts/stack/postgres';
import { PORTS, TSX } from '../scripts/stack/paths';
import { devToken } from '../scripts/stack/tokens';
import { Supervisor, waitFor } from '../scripts/stack/supervisor';
import { startTemporalDev, temporalReachable } from '../scripts/stack/temporal-server';
import { webhookSecretEnv } from '../scripts/stack/webhook-secrets';
import { newWebhookSecret } from '../infra/webhook-secrets';
import { newPayloadKey } from '../infra/privacy/payload-keys';

/** A bench's own ports: none of the demo's (7233/8233, 3000, 4001-4003), the tests' or another bench's. */
export interface BenchPorts {
  temporal: number;
  temporalUi: number;
  api: number;
  dialer: number;
  courier: number;
  bss: number;
}

export interface BenchStackOptions {
  /** What is running, for the supervisor's messages (`npm run bench -- <name>`). */
  purpose: string;
  /** Lock file name: a second run of the same bench says so instead of failing on ports. */
  lockName: string;
  /** The bench's own database, dropped and made afresh. */
  database: string;
  ports: BenchPorts;
  taskQueue: string;
  /** SIM_CONFIG of the sims process (sim/README.md). */
  simConfig: object;
  /** Generated customers (seed 5), for the bench's leads. */
  customers: number;
}

export interface BenchStack {
  sup: Supervisor;
  config: Config;
  /** A pool of 20, as workers/main.ts has. */
  db: Db;
  client: Client;
  apiUrl: string;
  /** The API's process (the tsx launcher; its node process is its child). */
  apiPid: number;
  /** A bearer token for the bench's API (admin: the bench drives it as marketing and scheduler). */
  token: string;
  /** The environment of the stack's children (API, sims), for the bench's own children. */
  childEnv: Record<string, string>;
  /** Runs at teardown, last registered first, before the supervisor stops the children. */
  onTeardown(fn: () => Promise<unknown> | unknown): void;
}

/**
 * Brings up a bench's own parts: the project's Postgres (or DATABASE_URL's server) with a fresh
 * database, an in-memory Temporal dev server on the bench's ports (or TEMPORAL_ADDRESS), and the
 * sims and the API each in its own process as deployed (scripts/stack/up.ts does the same), so a
 * worker measured by the bench does not share its event loop with them. Runs `body`, then tears
 * everything down, whatever happened.
 */
export async function withBenchStack(opts: BenchStackOptions, body: (stack: BenchStack) => Promise<void>): Promise<void> {
  Runtime.install({
    logger: { log: () => {}, trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: (m) => console.error(m) },
  });
  const sup = new Supervisor(opts.purpose, opts.lockName);
  // Torn down in reverse order of start-up, before the supervisor stops Temporal and Postgres.
  const teardown: (() => Promise<unknown> | unknown)[] = [];
  try {
    // ---- Postgres: the project's cluster (or DATABASE_URL's server), a fresh database of our own
    let serverUrl: string;
    if (process.env.DATABASE_URL) serverUrl = splitDatabaseUrl(process.env.DATABASE_URL).serverUrl;
    else {
      const pg = await ensurePostgres(PORTS.postgres);
      sup.onStop(() => pg.stop());
      if (pg.started) sup.note('pgdata', pg.dataDir);
      serverUrl = pg.serverUrl;
    }
    const databaseUrl = await ensureDatabase(serverUrl, opts.database, { fresh: true });
    const db = createPool(databaseUrl, 20); // as workers/main.ts
    teardown.push(() => db.end());
    await migrate(db);
    await seedRegions(db);
    await generateCustomers(db, { count: opts.customers, seed: 5 });
    await db.query('VACUUM ANALYZE customers');

    // ---- Temporal: a dev server of our own, in memory
    let temporalAddress = process.env.TEMPORAL_ADDRESS;
    if (temporalAddress) {
      if (!(await temporalReachable(temporalAddress))) throw new Error(`TEMPORAL_ADDRESS=${temporalAddress} does not answer`);
    } else {
      temporalAddress = await startTemporalDev(sup, { port: opts.ports.temporal, uiPort: opts.ports.temporalUi, name: `temporal-${opts.lockName}` });
    }
    const { ports } = opts;
    const apiUrl = `http://127.0.0.1:${ports.api}`;
    const config = loadConfig({
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: opts.taskQueue,
      TEMPORAL_UI_URL: `http://127.0.0.1:${ports.temporalUi}`,
      API_PORT: String(ports.api),
      PUBLIC_API_URL: apiUrl,
      DIALER_URL: `http://127.0.0.1:${ports.dialer}`,
      COURIER_URL: `http://127.0.0.1:${ports.courier}`,
      BSS_URL: `http://127.0.0.1:${ports.bss}`,
      AUTH_JWT_SECRET: randomBytes(32).toString('base64url'),
      TEMPORAL_PAYLOAD_KEYS: newPayloadKey('bench'),
      // the bench drives the API as one principal, far faster than a person
      API_RATE_LIMIT_PER_MINUTE: '10000000',
      // A bench's own, for this run only: the sims sign their webhooks, the API checks them.
      DIALER_WEBHOOK_SECRETS: newWebhookSecret(),
      COURIER_WEBHOOK_SECRETS: newWebhookSecret(),
    });
    const token = devToken(config.AUTH_JWT_SECRET!, 'bench', ['admin']);
    const client = await connectClient(config);
    teardown.push(() => client.connection.close());

    // ---- The sims and the API (which receives the sims' webhooks), each its own process
    const childEnv: Record<string, string> = {
      DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_TASK_QUEUE: opts.taskQueue,
      API_PORT: String(ports.api), PUBLIC_API_URL: config.PUBLIC_API_URL, LOG_LEVEL: 'warn',
      DIALER_URL: config.DIALER_URL, COURIER_URL: config.COURIER_URL, BSS_URL: config.BSS_URL,
      DIALER_PORT: String(ports.dialer), COURIER_PORT: String(ports.courier), BSS_PORT: String(ports.bss),
      SIM_LOG_LEVEL: 'warn', SIM_CONFIG: JSON.stringify(opts.simConfig),
      AUTH_JWT_SECRET: config.AUTH_JWT_SECRET!, TEMPORAL_PAYLOAD_KEYS: config.TEMPORAL_PAYLOAD_KEYS!, API_RATE_LIMIT_PER_MINUTE: String(config.API_RATE_LIMIT_PER_MINUTE),
      ...webhookSecretEnv({ dialer: config.DIALER_WEBHOOK_SECRETS, courier: config.COURIER_WEBHOOK_SECRETS }),
    };
    sup.spawn(`${opts.lockName}-sims`, TSX, ['sim/main.ts'], childEnv);
    // BENCH_PROFILE_DIR: the API writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
    const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
    const api = sup.spawn(`${opts.lockName}-api`, TSX, [...profile, 'api/main.ts'], childEnv);
    await sup.watch(Promise.all([
      waitFor('the bench API', async () => (await fetch(`${apiUrl}/health`)).ok),
      waitFor('the bench sims', async () => {
        for (const url of [config.DIALER_URL, config.COURIER_URL, config.BSS_URL]) if (!(await fetch(`${url}/health`)).ok) return false;
        return true;
      }),
    ]));

    await body({ sup, config, db, client, apiUrl, apiPid: api.pid!, token, childEnv, onTeardown: (fn) => teardown.push(fn) });
  } finally {
    for (const fn of teardown.reverse()) {
      try {
        await fn();
      } catch (err) {
        console.error(`teardown: ${(err as Error).message}`);
      }
    }
    await sup.stop();
  }
}

/** `--flag value` or `--flag=value` after the bench's name. */
export function argValue(flag: string): string | undefined {
  const argv = process.argv.slice(3);
  const i = argv.indexOf(flag);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

export function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return n;
}
