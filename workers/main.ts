import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../infra/config';
import { createPool, migrate } from '../infra/db';
import { connectClient } from '../infra/temporal';
import { createWorker } from './worker';
import { ensureSchedulesInBackground } from './schedules';
import { installRuntimeWithMetrics, serveWorkerMetrics } from './metrics';
import { runMain } from '../infra/process';

// The worker process: migrations first (so activities find their tables), then poll until a signal.
await runMain('worker', async () => {
  const config = loadConfig();
  // Before the first NativeConnection, which would make the runtime without metrics.
  const { sdkMetricsUrl } = await installRuntimeWithMetrics();
  const metrics = await serveWorkerMetrics({ host: config.WORKER_METRICS_HOST, port: config.WORKER_METRICS_PORT, sdkMetricsUrl });
  console.log(`worker metrics on ${metrics.url}`);
  const db = createPool(config.DATABASE_URL, 20);
  await migrate(db);
  const client = await connectClient(config);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const bundlePath = process.env.WORKFLOW_BUNDLE;
  // Production loads the bundle built with the image (npm run build:workflows); bundling at start
  // would cost every start and restart seconds of CPU and a webpack in the image's hot path.
  if (!bundlePath && process.env.NODE_ENV === 'production') {
    throw new Error('WORKFLOW_BUNDLE is not set: production workers load the prebuilt bundle (npm run build:workflows)');
  }
  console.log(bundlePath ? `loading the prebuilt workflow bundle ${bundlePath}` : 'bundling the workflows from source (set WORKFLOW_BUNDLE to load a prebuilt one)');
  const worker = await createWorker({
    config, db, client, connection, ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : {}),
  });
  ensureSchedulesInBackground(client, { taskQueue: config.TEMPORAL_TASK_QUEUE, timeZone: config.OPERATOR_TIME_ZONE });
  console.log(`worker polling task queue '${config.TEMPORAL_TASK_QUEUE}' on ${config.TEMPORAL_ADDRESS}`);
  await worker.run(); // Worker installs SIGINT/SIGTERM handlers and drains on them
  metrics.server.close();
  metrics.server.closeAllConnections(); // a scraper's kept-alive connection must not keep the process up
  await connection.close();
  await client.connection.close();
  await db.end();
});
