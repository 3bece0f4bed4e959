import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import pg from 'pg';

export type Db = pg.Pool;

const MIGRATIONS_DIR = fileURLToPath(new URL('../db/migrations/', import.meta.url));

export function createPool(databaseUrl: string, max = 10): Db {
  // Every commit is on disk before it returns, whatever the server's default: we answer webhooks,
  // API calls and Temporal (an activity's completion) only after a commit, and the asker then
  // forgets what it sent. Asynchronous commit lost acknowledged dialer outcomes in a Postgres crash
  // (test/integration/webhook-durability.test.ts).
  const pool = new pg.Pool({ connectionString: databaseUrl, max, options: '-c synchronous_commit=on' });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return pool;
}

/** Runs every SQL file of db/migrations not yet applied, in name order, each in its own transaction. */
export async function migrate(db: Db): Promise<string[]> {
  const client = await db.connect();
  try {
    // Several processes may start at once (worker and API); the advisory lock makes them take turns.
    await client.query('SELECT pg_advisory_lock(727001)');
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set(
      (await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name),
    );
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = await readFile(path.join(MIGRATIONS_DIR, file), 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations(name) VALUES ($1)', [file]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file} failed: ${(err as Error).message}`);
      }
      applied.push(file);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock(727001)').catch(() => {});
    client.release();
  }
}

/** Runs fn in one transaction: everything or nothing is written. */
export async function inTransaction<T>(db: Db, fn: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
