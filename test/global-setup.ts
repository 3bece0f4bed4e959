import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { createPool, migrate } from '../infra/db';
import { generateCustomers, generateDncRegister, seedRegions } from '../db/customers-generator';
import { ensureDatabase, ensurePostgres, splitDatabaseUrl } from '../scripts/stack/postgres';
import { DATA_DIR, PORTS } from '../scripts/stack/paths';
import { Supervisor } from '../scripts/stack/supervisor';
import { startTemporalDev, temporalReachable } from '../scripts/stack/temporal-server';
import { WORKFLOWS_PATH } from '../workers/worker';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

/** Customers every test may list from; tests that need their own add them above this range. */
export const TEST_CUSTOMERS = 3000;

/**
 * Once per test run: a fresh test database (the project's cluster, or DATABASE_URL's server), an
 * in-memory Temporal dev server of its own (or TEMPORAL_ADDRESS), and one workflow bundle that
 * every test worker loads instead of bundling again.
 */
export default async function setup(project: TestProject) {
  const sup = new Supervisor('npm test', 'test-stack');
  try {
    let serverUrl: string;
    if (process.env.DATABASE_URL) {
      serverUrl = splitDatabaseUrl(process.env.DATABASE_URL).serverUrl;
    } else {
      const pg = await ensurePostgres(PORTS.postgres);
      sup.onStop(() => pg.stop());
      if (pg.started) sup.note('pgdata', pg.dataDir);
      serverUrl = pg.serverUrl;
    }
    const databaseUrl = await ensureDatabase(serverUrl, 'telemarketing_test', { fresh: true });
    const db = createPool(databaseUrl);
    try {
      await migrate(db);
      await seedRegions(db);
      await generateCustomers(db, { count: TEST_CUSTOMERS, seed: 11 });
      await generateDncRegister(db, { seed: 11, fraction: 0.02 });
    } finally {
      await db.end();
    }

    let temporalAddress = process.env.TEMPORAL_ADDRESS;
    if (temporalAddress) {
      if (!(await temporalReachable(temporalAddress))) throw new Error(`TEMPORAL_ADDRESS=${temporalAddress} does not answer`);
    } else {
      temporalAddress = await startTemporalDev(sup, { port: PORTS.testTemporal, name: 'temporal-test' });
    }

    const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
    const dir = path.join(DATA_DIR, 'test');
    mkdirSync(dir, { recursive: true });
    const workflowBundlePath = path.join(dir, 'workflows-bundle.js');
    writeFileSync(workflowBundlePath, code);

    project.provide('databaseUrl', databaseUrl);
    project.provide('temporalAddress', temporalAddress);
    project.provide('workflowBundlePath', workflowBundlePath);
  } catch (err) {
    await sup.stop();
    throw err;
  }
  return () => sup.stop();
}

const noop = () => {};
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
