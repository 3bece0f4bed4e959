import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createPool, migrate } from '../infra/db';
import { newPayloadKey } from '../infra/privacy/payload-keys';
import { generateCustomers, generateDncRegister, seedRegions } from '../db/customers-generator';
import { ensureDatabase, ensurePostgres, splitDatabaseUrl } from '../scripts/stack/postgres';
import { DATA_DIR, PORTS } from '../scripts/stack/paths';
import { Supervisor } from '../scripts/stack/supervisor';
import { startTemporalDev, temporalReachable } from '../scripts/stack/temporal-server';
import { buildWorkflowBundle } from '../workers/bundle';
import { interactionIdsApart } from './support/interaction-ids';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    workflowBundlePath: string;
    /** TEMPORAL_PAYLOAD_KEYS of the run: a fresh key, so no test reads a payload in clear by accident. */
    payloadKeys: string;
  }
}

/** Customers every test may list from. */
export const TEST_CUSTOMERS = 3000;

/**
 * Tests run in parallel over one customer base, so a test that changes reference data (puts a
 * number on do-not-call, say) does it only to customers of region 'mo', which no test counts or
 * lists by region otherwise; these 60 (ids 100001–100060, numbers 1990000xxxx) are made for that.
 */
const SCRATCH_CUSTOMERS_SQL = `
  INSERT INTO customers (id, msisdn, name, region, city, plan, in_network, tenure_months, spend_last_month,
                         spend_prev_month, contract_end, complaints_90d, arrears, dnc, address, services)
  SELECT 100000 + g, '1990000' || lpad(g::text, 4, '0'), 'Scratch ' || g, 'mo', 'Macau', 'plus-58', true, 24, 60, 60,
         NULL, 0, 0, false, 'No. ' || g || ' Scratch Road, Macau', '{}'
    FROM generate_series(1, 60) g`;

/**
 * Once per test run: a fresh test database (the project's cluster, or DATABASE_URL's server), an
 * in-memory Temporal dev server of its own (or TEMPORAL_ADDRESS), and one workflow bundle that
 * every test worker loads instead of bundling again.
 */
export default async function setup(project: TestProject) {
  // TEST_STACK names a second test stack (its own database, bundle and Temporal port) so two
  // checkouts can run their tests at once against one Postgres.
  const stack = process.env.TEST_STACK ?? '';
  if (!/^[a-z0-9_]{0,20}$/.test(stack)) throw new Error(`TEST_STACK: lower-case letters, digits and _ only, got '${stack}'`);
  const suffix = stack ? `_${stack}` : '';
  const sup = new Supervisor('npm test', `test-stack${suffix}`);
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
    const databaseUrl = await ensureDatabase(serverUrl, `telemarketing_test${suffix}`, { fresh: true });
    const db = createPool(databaseUrl);
    try {
      await migrate(db);
      await seedRegions(db);
      await generateCustomers(db, { count: TEST_CUSTOMERS, seed: 11 });
      await generateDncRegister(db, { seed: 11, fraction: 0.02 });
      await db.query(SCRATCH_CUSTOMERS_SQL);
      await interactionIdsApart(db);
    } finally {
      await db.end();
    }

    let temporalAddress = process.env.TEMPORAL_ADDRESS;
    if (temporalAddress) {
      if (!(await temporalReachable(temporalAddress))) throw new Error(`TEMPORAL_ADDRESS=${temporalAddress} does not answer`);
    } else {
      temporalAddress = await startTemporalDev(sup, {
        port: Number(process.env.TEST_TEMPORAL_PORT ?? PORTS.testTemporal), name: `temporal-test${suffix}`,
      });
    }

    const workflowBundlePath = await buildWorkflowBundle(path.join(DATA_DIR, 'test', `workflows-bundle${suffix}.js`));

    project.provide('databaseUrl', databaseUrl);
    project.provide('temporalAddress', temporalAddress);
    project.provide('workflowBundlePath', workflowBundlePath);
    project.provide('payloadKeys', newPayloadKey('test-run'));
  } catch (err) {
    await sup.stop();
    throw err;
  }
  return () => sup.stop();
}
