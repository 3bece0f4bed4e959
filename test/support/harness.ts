import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { inject } from 'vitest';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Role } from '../../domain/access/roles';
import { devToken } from '../../scripts/stack/tokens';
import { loadConfig, type Config } from '../../infra/config';
import { createPool, type Db } from '../../infra/db';
import { connectClient } from '../../infra/temporal';
import { buildApp } from '../../api/app';
import { createWorker, type WorkerDeps } from '../../workers/worker';
import { startSims, type RunningSims, type StartSimsOptions } from '../../sim';
import { newWebhookSecret } from '../../infra/webhook-secrets';
import type { WebhookSecrets } from '../../api/webhook-signatures';
import { ROOT } from '../../scripts/stack/paths';

export interface Harness {
  db: Db;
  client: Client;
  app: FastifyInstance;
  apiUrl: string;
  sims: RunningSims;
  config: Config;
  /** What the API accepts from each sender; the sims sign with the first. */
  webhookSecrets: WebhookSecrets;
  taskQueue: string;
  /** A bearer token of the harness's own signing secret: for `roles`, as `sub` (default: dev-<first role>). */
  token(roles: Role | Role[], sub?: string): string;
  /** A request to the API in-process, as an admin unless the test gives its own authorization header. */
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>;
  /** The in-process worker (undefined when the worker runs in its own process). */
  worker: Worker | undefined;
  /** Stops the worker (as a crash would, but cleanly) and starts a new one on the same queue. */
  restartWorker(): Promise<void>;
  /** Stops the in-process worker and starts none: nothing answers the workflows' tasks or queries until startWorker(). */
  stopWorker(): Promise<void>;
  /** Starts a worker on the queue again after stopWorker(). */
  startWorker(): Promise<void>;
  /** With `workerProcess`: kills the worker process outright (SIGKILL), then starts a new one. */
  killWorker(): Promise<void>;
  close(): Promise<void>;
}

let runtimeQuiet = false;

/**
 * The configuration as the environment of a child process (the worker, the API) that parses it
 * again: lists as their items, the list ceilings as `role=n,…` (String() made '[object Object]'
 * of them, which the child refused, so it never started).
 */
export function configEnv(config: Config): Record<string, string> {
  const text = (v: unknown) => Array.isArray(v) ? v.join(' ')
    : v !== null && typeof v === 'object' ? Object.entries(v).map(([k, n]) => `${k}=${String(n)}`).join(',') : String(v);
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined).map(([k, v]) => [k, text(v)]));
}

/**
 * The system in one test process: the real API (on an ephemeral port, so the sims' webhooks reach
 * it), the sims, and a worker on a task queue of its own, against the run's Postgres and Temporal.
 */
export async function startHarness(opts: {
  sims?: Omit<StartSimsOptions, 'webhookSecrets'>;
  /**
   * The secrets the API accepts from each sender, the sims' own first (a rotation: the sims sign
   * with the first, the API takes any). Fresh ones of this harness alone by default.
   */
  webhookSecrets?: WebhookSecrets;
  tuning?: WorkerDeps['tuning'];
  /** Run the worker as its own process (workers/main.ts), so a test can kill it as a crash would. */
  workerProcess?: boolean;
  bssTimeoutMs?: number;
  /** Another Temporal server than the run's (a test that needs one configured its own way). */
  temporalAddress?: string;
  /** The API's requests per minute per principal (default: more than any test makes). */
  rateLimitPerMinute?: number;
  /** A database of the test's own instead of the run's (whose customers other tests count). */
  databaseUrl?: string;
  /** The dialer's self-service channels order at the API with a token of role self-service (subject `self-service-channels`). */
  selfServiceChannels?: boolean;
} = {}): Promise<Harness> {
  if (!runtimeQuiet) {
    Runtime.install({ logger: { log: () => {}, trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: (m) => console.error(m) } });
    runtimeQuiet = true;
  }
  const taskQueue = `test-${randomUUID()}`;
  const databaseUrl = opts.databaseUrl ?? inject('databaseUrl');
  const temporalAddress = opts.temporalAddress ?? inject('temporalAddress');
  const db = createPool(databaseUrl, 20);
  const client = await connectClient({ TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_NAMESPACE: 'default', TEMPORAL_PAYLOAD_KEYS: inject('payloadKeys') });
  const webhookSecrets = opts.webhookSecrets ?? { dialer: [newWebhookSecret()], courier: [newWebhookSecret()] };
  const jwtSecret = randomBytes(32).toString('base64url');
  const sims = await startSims({
    seed: 42, ...opts.sims, webhookSecrets: { dialer: webhookSecrets.dialer[0]!, courier: webhookSecrets.courier[0]! },
    ...(opts.selfServiceChannels ? { selfServiceToken: devToken(jwtSecret, 'self-service-channels', ['self-service']) } : {}),
  });
  const baseConfig = loadConfig({
    DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue, TEMPORAL_PAYLOAD_KEYS: inject('payloadKeys'),
    DIALER_URL: sims.dialerUrl, COURIER_URL: sims.courierUrl, BSS_URL: sims.bssUrl, BSS_TIMEOUT_MS: String(opts.bssTimeoutMs ?? 1500),
    // A secret of its own per harness; tests hardly ever meet a rate limit (test/api/access.test.ts does).
    AUTH_JWT_SECRET: jwtSecret, API_RATE_LIMIT_PER_MINUTE: String(opts.rateLimitPerMinute ?? 1_000_000),
    API_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '100000000', // every test request comes from one address
    DIALER_WEBHOOK_SECRETS: webhookSecrets.dialer.join(' '), COURIER_WEBHOOK_SECRETS: webhookSecrets.courier.join(' '),
    ALERT_WEBHOOK_SECRET: newWebhookSecret(), // alerts are signed with it; a test's receiver checks with h.config's
    ALERT_WEBHOOK_ALLOW_PRIVATE: 'true', // the tests' receivers listen on the loopback, over http
  });
  const token = (roles: Role | Role[], sub?: string) => {
    const list = [roles].flat();
    return devToken(baseConfig.AUTH_JWT_SECRET!, sub ?? `dev-${list[0]}`, list);
  };
  const admin = `Bearer ${token('admin')}`;
  const app = await buildApp({ db, client, config: baseConfig });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const apiUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const config: Config = { ...baseConfig, PUBLIC_API_URL: apiUrl };
  const connection = await NativeConnection.connect({ address: temporalAddress });

  const newWorker = () => createWorker({
    config, db, client, connection, taskQueue, workflowBundle: { codePath: inject('workflowBundlePath') }, tuning: opts.tuning,
  });
  let worker: Worker | undefined;
  let running: Promise<void> = Promise.resolve();
  let child: ChildProcess | undefined;
  const spawnWorker = () => {
    // node itself (not the tsx wrapper), so a SIGKILL hits the process that does the work
    child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env, ...configEnv(config),
        WORKFLOW_BUNDLE: inject('workflowBundlePath'), LOG_LEVEL: 'warn',
        // any free port: several test files run worker processes at once
        WORKER_METRICS_PORT: '0',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // Its log is kept (the last lines) and shown only if it dies of its own accord.
    let tail = '';
    child.stderr!.on('data', (chunk: Buffer) => { tail = (tail + chunk.toString()).slice(-20_000); });
    child.once('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGKILL' && signal !== 'SIGTERM') console.error(`worker process exited (${code ?? signal}):\n${tail}`);
    });
  };
  const stopChild = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill(signal);
    await exited;
  };
  const stopWorker = async () => {
    if (opts.workerProcess) throw new Error('stopWorker: for the in-process worker (killWorker for a worker process)');
    worker?.shutdown();
    await running;
    worker = undefined;
  };
  const startWorker = async () => {
    if (worker) throw new Error('startWorker: a worker is running');
    worker = await newWorker();
    running = worker.run();
  };
  if (opts.workerProcess) spawnWorker();
  else await startWorker();

  return {
    db, client, app, apiUrl, sims, config, webhookSecrets, taskQueue, token,
    inject: (req) => app.inject({ ...req, headers: { authorization: admin, ...req.headers } }),
    get worker() { return worker; },
    async restartWorker() {
      if (opts.workerProcess) {
        await stopChild('SIGTERM');
        spawnWorker();
        return;
      }
      await stopWorker();
      await startWorker();
    },
    stopWorker,
    startWorker,
    async killWorker() {
      if (!opts.workerProcess) throw new Error('killWorker needs startHarness({ workerProcess: true })');
      await stopChild('SIGKILL');
      spawnWorker();
    },
    async close() {
      worker?.shutdown();
      await running;
      await stopChild('SIGTERM');
      await connection.close();
      await app.close();
      await sims.close();
      await client.connection.close();
      await db.end();
    },
  };
}

/** Polls until check() returns a value other than undefined/false; fails with what it last saw. */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  { timeoutMs = 60_000, intervalMs = 200 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export const uniqueId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
