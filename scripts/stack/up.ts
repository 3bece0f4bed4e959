import path from 'node:path';
import pg from 'pg';
import { loadConfig, type Config } from '../../infra/config';
import { createPool, migrate, type Db } from '../../infra/db';
import { generateCustomers, generateDncRegister, seedRegions } from '../../db/customers-generator';
import { ensureDatabase, ensurePostgres } from './postgres';
import { DATA_DIR, LOG_DIR, shownPath, stackPorts, tsNode } from './paths';
import { startTemporalDev, temporalReachable } from './temporal-server';
import { Supervisor, waitFor } from './supervisor';
import { buildWorkflowBundle } from '../../workers/bundle';
import type { Role } from '../../domain/access/roles';
import { authFromEnvironment, devPayloadKeys, devSecrets } from './dev-secrets';
import { devToken, devTokens } from './tokens';
import { devAlertWebhookSecret, devWebhookSecrets, webhookSecretEnv } from './webhook-secrets';

export interface Stack {
  config: Config;
  db: Db;
  apiUrl: string;
  uiUrl: string;
  /** A development token per role, when the stack signs its own (none when the environment names a key). */
  tokens: Record<Role, string> | undefined;
}

/**
 * The local stack's sims answer like a real outbound operation (most calls go unanswered or are
 * refused; about one in eight that connect accepts) and the BSS fails now and then, so the demo
 * shows retries. The dialer's hotline reports its inbound calls to the API, and its self-service
 * channels order there for the referrals given them (docs/hotline.md). Override with SIM_CONFIG
 * (see sim/README.md).
 */
const localSimConfig = (apiUrl: string) => ({
  dialer: {
    mix: { 'no-answer': 0.3, busy: 0.1, 'wrong-number': 0.04, refused: 0.36, 'callback-requested': 0.08, accepted: 0.12 },
    inbound: { callbackUrl: `${apiUrl}/webhooks/dialer/inbound` },
    selfService: { enabled: true, apiUrl },
  },
  bss: { faults: { errorRate: 0.05 } },
});

/**
 * Brings up the whole local system: Postgres (the project's own cluster unless DATABASE_URL is
 * set), Temporal (start-dev with a db file unless TEMPORAL_ADDRESS is set), the sims, the worker and
 * the API, each as its own process like in a deployment. Everything stops with the supervisor.
 */
export async function bringUpStack(sup: Supervisor, opts: { customers: number }): Promise<Stack> {
  const ports = stackPorts();
  // The stack's ports (STACK_PORT_OFFSET moves them all) are the defaults; a variable set wins.
  const apiPort = process.env.API_PORT ?? String(ports.api);
  const env: Record<string, string | undefined> = {
    TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
    TEMPORAL_UI_URL: `http://127.0.0.1:${ports.temporalUi}`,
    API_PORT: apiPort,
    PUBLIC_API_URL: `http://127.0.0.1:${apiPort}`,
    DIALER_URL: `http://127.0.0.1:${ports.dialer}`,
    COURIER_URL: `http://127.0.0.1:${ports.courier}`,
    BSS_URL: `http://127.0.0.1:${ports.bss}`,
    WORKER_METRICS_PORT: String(ports.workerMetrics),
    ...process.env,
  };
  // Tokens: the environment's key when it names one (a real identity provider's), else the stack's own.
  const ownKey = !authFromEnvironment(env);
  if (ownKey) env.AUTH_JWT_SECRET = devSecrets().jwtSecret;
  // Payloads are encrypted with the environment's keys, else with the stack's own, made once.
  env.TEMPORAL_PAYLOAD_KEYS ||= devPayloadKeys();
  if (!env.DATABASE_URL) {
    const pgHandle = await ensurePostgres(ports.postgres);
    sup.onStop(() => pgHandle.stop());
    if (pgHandle.started) {
      sup.note('pgdata', pgHandle.dataDir);
      // Not restarted: see README (the stack's processes and their crashes).
      sup.guard('postgres', pgHandle.running, `its log: ${shownPath(pgHandle.logFile)}; its data is kept, the next start recovers it`);
    }
    env.DATABASE_URL = await ensureDatabase(pgHandle.serverUrl, 'telemarketing');
    console.log(`postgres   ${env.DATABASE_URL}${pgHandle.started ? '' : ' (already running)'}`);
  }
  // The sims sign their webhooks and the API checks them: with the secrets set in the environment,
  // else the stack's own, made once in its data dir.
  if (!env.DIALER_WEBHOOK_SECRETS || !env.COURIER_WEBHOOK_SECRETS) {
    const dev = devWebhookSecrets(DATA_DIR);
    env.DIALER_WEBHOOK_SECRETS ||= dev.dialer;
    env.COURIER_WEBHOOK_SECRETS ||= dev.courier;
  }
  env.ALERT_WEBHOOK_SECRET ||= devAlertWebhookSecret(DATA_DIR);
  // A receiver on this machine (http, the loopback) is what a developer sets finance's alert
  // address to; a deployment keeps the default, https on the public internet only.
  env.ALERT_WEBHOOK_ALLOW_PRIVATE ||= 'true';
  const config = loadConfig(env);
  const db = createPool(config.DATABASE_URL);
  sup.onStop(() => db.end());
  await migrate(db);
  await seedCustomerBase(db, opts.customers);

  if (process.env.TEMPORAL_ADDRESS) {
    if (!(await temporalReachable(config.TEMPORAL_ADDRESS))) {
      throw new Error(`TEMPORAL_ADDRESS=${config.TEMPORAL_ADDRESS} does not answer`);
    }
    console.log(`temporal   ${config.TEMPORAL_ADDRESS} (TEMPORAL_ADDRESS: not starting one)`);
  } else {
    // The UI asks the API's codec server to decrypt what it shows (docs/security.md).
    await startTemporalDev(sup, {
      port: ports.temporal, uiPort: ports.temporalUi, dbFile: path.join(DATA_DIR, 'temporal.db'), codecEndpoint: `${config.PUBLIC_API_URL}/codec`,
    });
    console.log(`temporal   ${config.TEMPORAL_ADDRESS}, UI ${config.TEMPORAL_UI_URL}`);
  }

  const childEnv: Record<string, string> = {
    DATABASE_URL: config.DATABASE_URL,
    TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
    TEMPORAL_TASK_QUEUE: config.TEMPORAL_TASK_QUEUE,
    TEMPORAL_UI_URL: config.TEMPORAL_UI_URL,
    TEMPORAL_PAYLOAD_KEYS: config.TEMPORAL_PAYLOAD_KEYS!,
    PUBLIC_API_URL: config.PUBLIC_API_URL,
    DIALER_URL: config.DIALER_URL,
    COURIER_URL: config.COURIER_URL,
    BSS_URL: config.BSS_URL,
    API_PORT: String(config.API_PORT),
    // The API checks finance's alert address as the worker will.
    ALERT_WEBHOOK_ALLOW_PRIVATE: String(config.ALERT_WEBHOOK_ALLOW_PRIVATE),
    ALERT_WEBHOOK_ALLOWED_NETWORKS: config.ALERT_WEBHOOK_ALLOWED_NETWORKS.join(' '),
    ...Object.fromEntries(['AUTH_JWT_SECRET', 'AUTH_JWT_PUBLIC_KEY', 'AUTH_JWKS_ISSUER', 'AUTH_JWT_AUDIENCE'].flatMap((k) => (env[k] ? [[k, env[k]!]] : []))),
    SIM_CONFIG: process.env.SIM_CONFIG ?? JSON.stringify(localSimConfig(config.PUBLIC_API_URL)),
    ...webhookSecretEnv({ dialer: config.DIALER_WEBHOOK_SECRETS, courier: config.COURIER_WEBHOOK_SECRETS }),
    // The sims listen where the worker and the API are told they are.
    ...simPort('DIALER_PORT', config.DIALER_URL),
    ...simPort('COURIER_PORT', config.COURIER_URL),
    ...simPort('BSS_PORT', config.BSS_URL),
  };
  // The self-service channels order with a token of their role (the stack's own key only: a real
  // identity provider issues theirs, given as SELF_SERVICE_API_TOKEN).
  const selfServiceToken = process.env.SELF_SERVICE_API_TOKEN
    ?? (ownKey ? devToken(env.AUTH_JWT_SECRET!, 'dev-self-service-channels', ['self-service'], '30d') : undefined);
  // restart: a crash once the stack is up is restarted (Supervisor.keepRunning), not fatal.
  sup.spawn('sims', ...tsNode('sim/main.ts'), { ...childEnv, ...(selfServiceToken ? { SELF_SERVICE_API_TOKEN: selfServiceToken } : {}) }, { restart: true });
  // Bundled once here: the worker (and every restart of it) loads the bundle, as in production.
  const bundle = await buildWorkflowBundle(path.join(DATA_DIR, 'workflow-bundle.js'));
  sup.spawn('worker', ...tsNode('workers/main.ts'), {
    ...childEnv, WORKFLOW_BUNDLE: bundle, WORKER_METRICS_HOST: config.WORKER_METRICS_HOST, WORKER_METRICS_PORT: String(config.WORKER_METRICS_PORT),
    // Made above when the environment names none: without it the worker would send no alert.
    ALERT_WEBHOOK_SECRET: config.ALERT_WEBHOOK_SECRET!,
  }, { restart: true });
  sup.spawn('api', ...tsNode('api/main.ts'), childEnv, { restart: true });
  const apiUrl = `http://${config.API_HOST}:${config.API_PORT}`;
  await sup.watch(Promise.all([
    waitFor('the API', async () => (await fetch(`${apiUrl}/health`)).ok),
    waitFor('the sims', async () => (await fetch(`${config.DIALER_URL}/health`)).ok && (await fetch(`${config.BSS_URL}/health`)).ok),
  ]));
  console.log(`api        ${apiUrl} (Swagger UI: ${apiUrl}/docs)`);
  console.log(`sims       dialer ${config.DIALER_URL}, courier ${config.COURIER_URL}, BSS ${config.BSS_URL}`);
  console.log(`metrics    api ${apiUrl}/metrics (an ops token), worker http://${config.WORKER_METRICS_HOST}:${config.WORKER_METRICS_PORT}/metrics (Prometheus text)`);
  console.log(`logs       ${path.join(shownPath(LOG_DIR), '*.log')}`);
  return { config, db, apiUrl, uiUrl: config.TEMPORAL_UI_URL, tokens: ownKey ? devTokens(env.AUTH_JWT_SECRET!) : undefined };
}

const simPort = (variable: string, url: string): Record<string, string> => {
  const { port } = new URL(url);
  return port ? { [variable]: port } : {};
};

/** Loads the synthetic customer base once (the generator is deterministic and idempotent). */
async function seedCustomerBase(db: pg.Pool, count: number): Promise<void> {
  await seedRegions(db);
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM customers');
  if (Number(rows[0]!.n) >= count) return;
  const t0 = Date.now();
  await generateCustomers(db, { count, seed: 7 });
  await generateDncRegister(db, { seed: 7 });
  console.log(`customers  ${count} generated in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}
