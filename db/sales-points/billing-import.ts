import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db } from '../../infra/db';
import type { Queryable } from '../queryable';
import { monthLastDay, monthStart, type Month } from '../../domain/sales-points/month';
import {
  BILLING_COLUMNS, BOM_BYTES, MAX_LISTED_ERRORS, PG_ENCODING, copyFailureLine, describeRefusal, detectEncoding,
  type BillingEncoding, type LineError,
} from '../../domain/sales-points/billing-file';
import { BAD_LINES, COUNT_BAD_LINES, GROUP_LINES, linesTable } from './billing-checks-sql';

export interface BillingImport {
  importId: number;
  month: Month;
  rows: number;
  encoding: BillingEncoding;
  sha256: string;
  reused: boolean;
}

export interface BillingImportMeta {
  month: Month;
  source: 'bss-export' | 'upload';
  fileName?: string;
  /** Who imported: a person's `sub (role)`, or the run that fetched the export. */
  by: string;
  /** What the sender says the file is in; a BOM wins over it (domain/sales-points/billing-file.ts). */
  encoding?: BillingEncoding;
  /** A file larger than this is refused (BillingFileTooLarge) as its bytes arrive. */
  maxBytes?: number;
}

/** A file refused: its bad lines (the header is line 1), and nothing of it was used. */
export class BillingFileRefused extends Error {
  constructor(readonly errors: LineError[]) {
    super(describeRefusal(errors));
    this.name = 'BillingFileRefused';
  }
}

export class BillingFileTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`the billing file is larger than ${maxBytes} bytes`);
    this.name = 'BillingFileTooLarge';
  }
}

/** The month is closed (approved): nothing of it changes, its billing neither. */
export class BillingMonthClosed extends Error {
  constructor(readonly month: Month) {
    super(`sales points month ${month} is closed: its billing list is kept as it was`);
    this.name = 'BillingMonthClosed';
  }
}

/** First key of the advisory lock that makes two imports of one month take turns (the second: the month). */
export const IMPORT_LOCK = 727015;
/** ANALYZE's sample of an import (Postgres's default, 100, reads 30,000 lines: most of a million-line file's pages). */
const STATISTICS_TARGET = 10;
/** Bytes looked at before the encoding is decided, when there is no BOM and the sender named none. */
const SNIFF_BYTES = 64 * 1024;

/**
 * Imports billing's list of a month: the file streamed into COPY (Postgres reads the CSV, in its
 * encoding) into the import's own table, checked line by line in SQL, kept as the import's
 * partition of billing_lines whole or not at all. A file of
 * the same bytes as the month's latest import is that import again (`reused`), so a retried
 * activity or a second upload doubles nothing.
 */
export async function importBilling(db: Db, input: Readable, meta: BillingImportMeta): Promise<BillingImport> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const result = await importInTransaction(client, input, meta);
    await client.query(result.reused ? 'ROLLBACK' : 'COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

async function importInTransaction(tx: pg.PoolClient, input: Readable, meta: BillingImportMeta): Promise<BillingImport> {
  const { month } = meta;
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [IMPORT_LOCK, month]);
  const closed = await tx.query(`SELECT 1 FROM sales_point_runs WHERE month = $1::date AND status = 'closed'`, [monthStart(month)]);
  if (closed.rowCount) throw new BillingMonthClosed(month);
  // The import's own table (migration 029): the file COPYed once, each field as its text, so a bad
  // one is named rather than failing the COPY; attached as the import's partition of billing_lines
  // once it is good, gone with the rollback when not.
  const { rows: [reserved] } = await tx.query<{ id: string }>(`SELECT nextval(pg_get_serial_sequence('billing_imports', 'id')) AS id`);
  const importId = Number(reserved!.id);
  const table = linesTable(importId);
  await tx.query(`CREATE TABLE ${table} (import_id bigint NOT NULL DEFAULT ${importId} CHECK (import_id = ${importId}),
    ${BILLING_COLUMNS.map((c) => `${c} text`).join(', ')})`);

  const file = await openFile(input, meta);
  if (file.empty) throw new BillingFileRefused([{ line: 1, message: `the file is empty: line 1 must be the header ${BILLING_COLUMNS.join(',')}` }]);
  // FREEZE: the table is this transaction's, so its rows are written frozen and never revisited.
  const copy = tx.query(copyFrom(`COPY ${table} (${BILLING_COLUMNS.join(', ')}) FROM STDIN
    WITH (FORMAT csv, HEADER MATCH, FREEZE, ENCODING '${PG_ENCODING[file.encoding]}')`));
  try {
    await pipeline(file.body, copy);
  } catch (err) {
    const line = copyFailureLine(err as { code?: string; message: string; where?: string });
    if (line) throw new BillingFileRefused([line]);
    throw err;
  }
  const staged = copy.rowCount;
  const sha256 = file.sha256();

  const latest = await latestImport(tx, month);
  if (latest && latest.sha256 === sha256) {
    return { importId: latest.importId, month, rows: latest.rows, encoding: latest.encoding, sha256, reused: true };
  }

  // Postgres's JIT compiles a million-line statement's expressions first, for longer than the
  // checks then take; and the grouping hashes in memory, not in batches on disk.
  await tx.query(`SET LOCAL jit = off`);
  await tx.query(`SET LOCAL work_mem = '64MB'`);
  // The checks' and the reconciliation's plans need the table's size and spread; a small sample
  // says them. Without it the checks' grouping was planned for a hundred times the days a file has,
  // and its larger hash tables took a fifth longer.
  await tx.query(`SET LOCAL default_statistics_target = ${STATISTICS_TARGET}`);
  await tx.query(`ANALYZE ${table}`);
  const bounds = [monthStart(month), monthLastDay(month)];
  await tx.query(GROUP_LINES(table));
  const { rows: [counted] } = await tx.query<{ bad: string }>(COUNT_BAD_LINES, bounds);
  if (Number(counted!.bad) > 0) {
    const { rows } = await tx.query<{ line: number; field: string; message: string }>(BAD_LINES(table), [...bounds, MAX_LISTED_ERRORS]);
    throw new BillingFileRefused(rows.map((r) => ({ line: r.line, field: r.field, message: r.message })));
  }
  await tx.query(
    `INSERT INTO billing_imports (id, month, source, file_name, sha256, encoding, rows, imported_by)
     VALUES ($1, $2::date, $3, $4, $5, $6, $7, $8)`,
    [importId, monthStart(month), meta.source, meta.fileName ?? null, sha256, file.encoding, staged, meta.by]);
  // A lock that lets the other imports' partitions be read meanwhile (CREATE … PARTITION OF would
  // lock billing_lines whole while the file streams); the CHECK spares it a scan.
  await tx.query(`ALTER TABLE billing_lines ATTACH PARTITION ${table} FOR VALUES IN (${importId})`);
  return { importId, month, rows: staged, encoding: file.encoding, sha256, reused: false };
}

interface OpenedFile {
  encoding: BillingEncoding;
  /** Nothing after the BOM: no header line. */
  empty: boolean;
  /** The bytes for COPY: the BOM left out. */
  body: Readable;
  /** The sha256 of every byte of the file, BOM included (once body has been read to its end). */
  sha256(): string;
}

/**
 * Reads the file's first bytes to tell its encoding (domain/sales-points/billing-file.ts), then
 * hands COPY the rest as it arrives: never the whole file in memory.
 */
async function openFile(input: Readable, meta: BillingImportMeta): Promise<OpenedFile> {
  const hash = createHash('sha256');
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  let bytes = 0;
  const next = async (): Promise<Buffer | undefined> => {
    const { value, done } = await chunks.next();
    if (done) return undefined;
    const chunk = typeof value === 'string' ? Buffer.from(value) : value;
    bytes += chunk.length;
    if (meta.maxBytes !== undefined && bytes > meta.maxBytes) throw new BillingFileTooLarge(meta.maxBytes);
    hash.update(chunk);
    return chunk;
  };

  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  // A BOM needs 4 bytes; a guess at the encoding, a fair sample.
  const enough = meta.encoding ? BOM_BYTES : SNIFF_BYTES;
  while (headBytes < enough) {
    const chunk = await next();
    if (!chunk) { ended = true; break; }
    head.push(chunk);
    headBytes += chunk.length;
  }
  const first = Buffer.concat(head);
  const { encoding, bomBytes } = detectEncoding(first, meta.encoding);
  const rest = first.subarray(bomBytes);

  async function* body(): AsyncGenerator<Buffer> {
    if (rest.length) yield rest;
    if (ended) return;
    for (let chunk = await next(); chunk; chunk = await next()) yield chunk;
  }
  return {
    encoding,
    empty: ended && rest.length === 0,
    body: Readable.from(body(), { objectMode: false }),
    sha256: () => hash.digest('hex'),
  };
}

export interface BillingImportRecord extends Omit<BillingImport, 'reused'> {
  source: 'bss-export' | 'upload';
  fileName: string | null;
  importedBy: string;
  importedAt: string;
}

interface ImportRow {
  id: string; month: string; source: 'bss-export' | 'upload'; file_name: string | null; sha256: string; encoding: BillingEncoding;
  rows: number; imported_by: string; imported_at: Date;
}
const toRecord = (r: ImportRow): BillingImportRecord => ({
  importId: Number(r.id), month: r.month, rows: r.rows, encoding: r.encoding, sha256: r.sha256,
  source: r.source, fileName: r.file_name, importedBy: r.imported_by, importedAt: r.imported_at.toISOString(),
});
const COLUMNS = `id, to_char(month, 'YYYY-MM') AS month, source, file_name, sha256, encoding, rows, imported_by, imported_at`;

/** The month's latest import (the one its reconciliation uses), or undefined. */
export async function latestImport(q: Queryable, month: Month): Promise<BillingImportRecord | undefined> {
  const { rows: [row] } = await q.query<ImportRow>(
    `SELECT ${COLUMNS} FROM billing_imports WHERE month = $1::date ORDER BY id DESC LIMIT 1`, [monthStart(month)]);
  return row ? toRecord(row) : undefined;
}

/** Every import of the month, the latest first (no lines). */
export async function listImports(q: Queryable, month: Month): Promise<BillingImportRecord[]> {
  const { rows } = await q.query<ImportRow>(
    `SELECT ${COLUMNS} FROM billing_imports WHERE month = $1::date ORDER BY id DESC`, [monthStart(month)]);
  return rows.map(toRecord);
}
