import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { stringify } from 'csv-stringify';
import { from as copyFrom } from 'pg-copy-streams';
import type { NumberRow } from '../../domain/compliance/numbers';

/**
 * Puts checked numbers into `staged_numbers`, a temporary table of the transaction (dropped at its
 * end), with COPY: one round trip for a file of any size, then one statement merges them where they
 * belong. Runs inside the caller's transaction, so a merge that fails leaves nothing behind.
 */
export async function stageNumbers(tx: pg.PoolClient, rows: readonly NumberRow[]): Promise<string> {
  await tx.query('CREATE TEMP TABLE staged_numbers (msisdn text NOT NULL, reason text) ON COMMIT DROP');
  await pipeline(
    Readable.from(rows.map((r) => [r.msisdn, r.reason])),
    stringify(),
    tx.query(copyFrom('COPY staged_numbers (msisdn, reason) FROM STDIN WITH (FORMAT csv)')),
  );
  return 'staged_numbers';
}
