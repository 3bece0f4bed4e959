import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../infra/config';
import { createPool, migrate } from '../infra/db';
import { connectClient } from '../infra/temporal';
import { createWorker } from './worker';
import { runMain } from '../infra/process';

// The worker process: migrations first (so activities find their tables), then poll until a signal.
await runMain('worker', async () => {
  const config = loadConfig();
  const db = createPool(config.DATABASE_URL, 20);
  await migrate(db);
  const client = await connectClient(config);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const bundlePath = process.env.WORKFLOW_BUNDLE;
  const worker = await createWorker({
    config, db, client, connection, ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : {}),
  });
  console.log(`worker polling task queue '${config.TEMPORAL_TASK_QUEUE}' on ${config.TEMPORAL_ADDRESS}`);
  await worker.run(); // Worker installs SIGINT/SIGTERM handlers and drains on them
  await connection.close();
  await client.connection.close();
  await db.end();
});
