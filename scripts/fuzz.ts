import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { withBenchStack, type BenchPorts } from '../bench/stack';
import { runMain } from '../infra/process';
import { createWorker } from '../workers/worker';
import { runSchemathesis } from './fuzz/schemathesis';
import { DATA_DIR, shownPath } from './stack/paths';

/**
 * `npm run fuzz [-- --max-examples N --seed S --workers W]`: schemathesis against the API, every
 * operation, every check, with an admin's token and the webhooks signed by their senders. The API
 * runs on a stack of its own (a fresh database, an in-memory Temporal dev server on these ports,
 * the sims and the API as processes, a worker in this process so that updates are answered), as
 * the benches do. Prints schemathesis's summary; exits 1 on any failure it finds.
 */
const PORTS: BenchPorts = { temporal: 7263, temporalUi: 8263, api: 3063, dialer: 4067, courier: 4068, bss: 4069 };

function option(name: string, fallback: number): number {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(`--${name}`);
  const raw = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name}: a positive integer, got '${raw}'`);
  return n;
}

await runMain('fuzz', async () => {
  const maxExamples = option('max-examples', 30);
  const seed = option('seed', 1);
  const workers = option('workers', 2);
  let status = 1;
  await withBenchStack({
    purpose: 'npm run fuzz',
    lockName: 'fuzz',
    database: 'telemarketing_fuzz',
    ports: PORTS,
    taskQueue: 'fuzz',
    // Campaigns the fuzzer launches call a handful of customers, slowly: the run measures the API,
    // not how fast the sims can answer thousands of calls.
    simConfig: { dialer: { ringMs: { min: 20_000, max: 60_000 } } },
    customers: 100,
  }, async ({ config, db, client, apiUrl, token, onTeardown }) => {
    const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
    onTeardown(() => connection.close());
    console.log('bundling the workflows for the worker …');
    const worker = await createWorker({ config, db, client, connection });
    const running = worker.run();
    onTeardown(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    console.log(`schemathesis: every operation of ${apiUrl}/docs/json, all checks, ${maxExamples} examples each, seed ${seed}\n`);
    const result = await runSchemathesis({
      apiUrl, token, maxExamples, seed, workers, echo: true,
      webhookSecrets: { dialer: config.DIALER_WEBHOOK_SECRETS[0]!, courier: config.COURIER_WEBHOOK_SECRETS[0]! },
      reportDir: path.join(DATA_DIR, 'fuzz'),
    });
    status = result.status;
    console.log(`\nJUnit report: ${shownPath(result.junitPath)}`);
  });
  if (status !== 0) {
    console.error('fuzz: schemathesis found failures (above)');
    process.exit(1);
  }
});
