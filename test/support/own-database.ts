import { inject } from 'vitest';
import { createPool, migrate } from '../../infra/db';
import { generateCustomers, seedRegions } from '../../db/customers-generator';
import { ensureDatabase, splitDatabaseUrl } from '../../scripts/stack/postgres';
import { interactionIdsApart } from './interaction-ids';

/**
 * A fresh database of a test file's own on the run's server, migrated, with the regions and
 * `customers` generated customers: for tests that put numbers on do-not-call or suppression lists
 * mid-campaign and count what the dialer got, which the shared customer base's other users must
 * not see (nor disturb). Named after the run's database and `name`.
 */
export async function ownDatabase(name: string, customers = 200): Promise<string> {
  const { serverUrl, database } = splitDatabaseUrl(inject('databaseUrl'));
  const url = await ensureDatabase(serverUrl, `${database}_${name}`, { fresh: true });
  const db = createPool(url, 2);
  try {
    await migrate(db);
    await seedRegions(db);
    await generateCustomers(db, { count: customers, seed: 13 });
    await interactionIdsApart(db);
  } finally {
    await db.end();
  }
  return url;
}

