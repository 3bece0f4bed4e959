import { createPool, migrate, type Db } from '../infra/db';
import { seedRegions } from '../db/customers-generator';
import { ensureDatabase, ensurePostgres, splitDatabaseUrl } from '../scripts/stack/postgres';
import { PORTS } from '../scripts/stack/paths';

/**
 * A database-only bench's database, kept between runs (its generated rows are costly to make):
 * on DATABASE_URL's server, else the project's cluster (started, and stopped by `stop`, if it was not running).
 */
export async function benchDatabase(name: string): Promise<{ db: Db; stop(): Promise<void> }> {
  let serverUrl: string;
  let stopPg = () => {};
  if (process.env.DATABASE_URL) serverUrl = splitDatabaseUrl(process.env.DATABASE_URL).serverUrl;
  else {
    const pg = await ensurePostgres(PORTS.postgres);
    serverUrl = pg.serverUrl;
    stopPg = () => pg.stop();
  }
  const db = createPool(await ensureDatabase(serverUrl, name), 4);
  await migrate(db);
  await seedRegions(db);
  return { db, stop: async () => { await db.end(); stopPg(); } };
}
