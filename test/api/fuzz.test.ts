import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createPool, migrate } from '../../infra/db';
import { generateCustomers, seedRegions } from '../../db/customers-generator';
import { ensureDatabase, splitDatabaseUrl } from '../../scripts/stack/postgres';
import { DATA_DIR } from '../../scripts/stack/paths';
import { runSchemathesis } from '../../scripts/fuzz/schemathesis';
import { startHarness, type Harness } from '../support/harness';
import { interactionIdsApart } from '../support/interaction-ids';

// A short pass of `npm run fuzz` (docs/security.md#fuzzing): schemathesis over every operation of
// the OpenAPI document, every check, a few cases each with a fixed seed, as an admin and with the
// webhooks signed. It must find nothing: no 5xx, no answer the document does not declare or
// describe, no valid request refused for a reason it does not state, no invalid one taken.

const EXAMPLES = 5;
const SEED = 1;

let h: Harness;
beforeAll(async () => {
  // A database of its own: the campaigns the fuzzer launches call customers, and other test files
  // count the same customers (the contact cap, the lists).
  const { serverUrl, database } = splitDatabaseUrl(inject('databaseUrl'));
  const databaseUrl = await ensureDatabase(serverUrl, `${database}_fuzz`, { fresh: true });
  const db = createPool(databaseUrl, 2);
  try {
    await migrate(db);
    await seedRegions(db);
    await generateCustomers(db, { count: 50, seed: 3 });
    await interactionIdsApart(db);
  } finally {
    await db.end();
  }
  // The fuzzer's campaigns ring for a while: the pass measures the API, not the sims.
  h = await startHarness({ databaseUrl, sims: { dialer: { ringMs: { min: 20_000, max: 60_000 } } } });
});
afterAll(async () => { await h?.close(); });

it(`schemathesis finds nothing (${EXAMPLES} cases per operation, seed ${SEED})`, async () => {
  const result = await runSchemathesis({
    apiUrl: h.apiUrl,
    token: h.token('admin'),
    webhookSecrets: { dialer: h.webhookSecrets.dialer[0]!, courier: h.webhookSecrets.courier[0]! },
    maxExamples: EXAMPLES,
    seed: SEED,
    workers: 1,
    reportDir: path.join(DATA_DIR, 'test', 'fuzz'),
    echo: false,
  });
  // The whole report stays for a look, whatever the outcome.
  writeFileSync(path.join(path.dirname(result.junitPath), 'schemathesis.txt'), result.output);
  const found = result.output.slice(Math.max(0, result.output.indexOf('=== FAILURES') - 40, result.output.indexOf('=== ERRORS') - 40));
  expect(result.status, `schemathesis found something:\n${found.slice(0, 30_000)}`).toBe(0);
  expect(result.summary).toMatch(/Tested: (\d+)/);
  // Some 110 operations at 5 cases each: 1.5 minutes alone, nearer 4 beside the rest of the suite on two cores.
}, 420_000);
