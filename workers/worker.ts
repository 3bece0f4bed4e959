import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { fileURLToPath } from 'node:url';
import { createActivities } from '../activities';
import type { Config } from '../infra/config';
import type { Db } from '../infra/db';
import { temporalDataConverter } from '../infra/privacy/data-converter';
import { webhookAddressPolicy } from '../domain/alerts/webhook-address';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface WorkerDeps {
  config: Config;
  db: Db;
  client: Client;
  connection: NativeConnection;
  /** A prebuilt workflow bundle (tests and production); without it the worker bundles from source. */
  workflowBundle?: { codePath: string };
  taskQueue?: string;
  tuning?: Partial<Pick<WorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions'>>;
}

/** One worker runs the campaign and order workflows and every activity on the task queue. */
export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  const { config } = deps;
  const taskQueue = deps.taskQueue ?? config.TEMPORAL_TASK_QUEUE;
  return Worker.create({
    connection: deps.connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue,
    dataConverter: temporalDataConverter(config.TEMPORAL_PAYLOAD_KEYS),
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities({
      db: deps.db,
      client: deps.client,
      taskQueue,
      publicApiUrl: config.PUBLIC_API_URL,
      dialerUrl: config.DIALER_URL,
      courierUrl: config.COURIER_URL,
      bssUrl: config.BSS_URL,
      bssTimeoutMs: config.BSS_TIMEOUT_MS,
      operatorTimeZone: config.OPERATOR_TIME_ZONE,
      alertWebhookSecret: config.ALERT_WEBHOOK_SECRET,
      alertWebhookPolicy: webhookAddressPolicy(config.ALERT_WEBHOOK_ALLOW_PRIVATE, config.ALERT_WEBHOOK_ALLOWED_NETWORKS),
    }),
    // Async-completed calls hold no slot while they ring, so a few hundred concurrent is cheap.
    maxConcurrentActivityTaskExecutions: 200,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS, // why this many: infra/config.ts
    ...deps.tuning,
  });
}
