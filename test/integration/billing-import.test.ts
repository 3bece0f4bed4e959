import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import iconv from 'iconv-lite';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { createPool, type Db } from '../../infra/db';
import { BillingFileRefused, BillingFileTooLarge, IMPORT_LOCK, importBilling, latestImport, type BillingImportMeta } from '../../db/sales-points/billing-import';
import { createBillingActivities } from '../../activities/sales-points/billing';
import { buildBss } from '../../sim';
import { waitUntil } from '../support/harness';
import { BILLING_HEADER, GB18030_BOM, UTF8_BOM } from '../../domain/sales-points/billing-file';

// Months of 2087: no other test file imports billing then. Each test takes its own month.
let db: Db;
let bss: FastifyInstance;
let bssUrl: string;
beforeAll(async () => {
  db = createPool(inject('databaseUrl'), 4);
  bss = buildBss({ seed: 7, export: { syntheticRows: 20_000, usedShare: 0.5 } });
  bssUrl = await bss.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await bss?.close();
  await db?.end();
});

const HEADER = `${BILLING_HEADER}\n`;
const meta = (month: string, extra: Partial<BillingImportMeta> = {}): BillingImportMeta => ({ month, source: 'upload', by: 'test (finance)', ...extra });
/** The file as a stream of small chunks, as a network delivers it (a BOM cut across two chunks). */
const chunked = (bytes: Buffer, size = 3) => Readable.from(Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)));

const lines = async (importId: number) => (await db.query(
  `SELECT msisdn, service_code, to_char(activated_on, 'YYYY-MM-DD') AS on, to_char(cancelled_on, 'YYYY-MM-DD') AS off, used
     FROM billing_subscriptions WHERE import_id = $1 ORDER BY msisdn, service_code`, [importId])).rows;
const importsOf = async (month: string) => Number((await db.query(`SELECT count(*) AS n FROM billing_imports WHERE month = $1::date`, [`${month}-01`])).rows[0].n);
const orphanLines = async () => Number((await db.query(
  'SELECT count(*) AS n FROM billing_lines l WHERE NOT EXISTS (SELECT 1 FROM billing_imports i WHERE i.id = l.import_id)')).rows[0].n);

/** A good file of a month: active all month, cancelled in it, activated on its last day. */
const good = (m: string) => `${HEADER}13800000001,vas-video,${m}-10,,true\n13800000002,vas-music,2086-11-30,${m}-20,0\n13800000003,vas-video,${m}-28,,FALSE\n`;
const GOOD = good('2087-01');

describe('a good file', () => {
  it('UTF-8 without a BOM: every line kept under one import, read typed', async () => {
    const got = await importBilling(db, chunked(Buffer.from(GOOD)), meta('2087-01'));
    expect(got).toMatchObject({ month: '2087-01', rows: 3, encoding: 'utf-8', reused: false });
    expect(got.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await lines(got.importId)).toEqual([
      { msisdn: '13800000001', service_code: 'vas-video', on: '2087-01-10', off: null, used: true },
      { msisdn: '13800000002', service_code: 'vas-music', on: '2086-11-30', off: '2087-01-20', used: false },
      { msisdn: '13800000003', service_code: 'vas-video', on: '2087-01-28', off: null, used: false },
    ]);
    expect(await latestImport(db, '2087-01')).toMatchObject({ importId: got.importId, rows: 3, source: 'upload', importedBy: 'test (finance)' });
  });

  it('the same bytes again: the latest import reused, no second copy of the rows', async () => {
    const file = good('2087-02');
    const first = await importBilling(db, chunked(Buffer.from(file)), meta('2087-02'));
    const again = await importBilling(db, chunked(Buffer.from(file), 1000), meta('2087-02'));
    expect(again).toEqual({ ...first, reused: true });
    expect(await importsOf('2087-02')).toBe(1);
    // Another file, then the first again: the month's latest is the other one, so the first is imported anew.
    const other = await importBilling(db, Readable.from([Buffer.from(`${HEADER}13800000009,vas-news,2087-02-01,,1\n`)]), meta('2087-02'));
    const third = await importBilling(db, Readable.from([Buffer.from(file)]), meta('2087-02'));
    expect([other.reused, third.reused]).toEqual([false, false]);
    expect(third.importId).toBeGreaterThan(other.importId);
    expect((await latestImport(db, '2087-02'))?.importId).toBe(third.importId);
  });

  it('UTF-8 with a BOM: the BOM is not part of the header, and is part of the sha256', async () => {
    const file = good('2087-03');
    const got = await importBilling(db, chunked(Buffer.concat([UTF8_BOM, Buffer.from(file)]), 2), meta('2087-03'));
    expect(got).toMatchObject({ rows: 3, encoding: 'utf-8', reused: false });
    const plain = await importBilling(db, Readable.from([Buffer.from(file)]), meta('2087-03'));
    expect(plain.reused).toBe(false); // other bytes
  });

  it('GB18030 with a BOM, and without one (told from its bytes, or named by the sender)', async () => {
    // Billing's codes are ASCII; a code in Chinese shows the transcoding is real.
    const text = `${HEADER}13800000001,视频包,2087-04-02,,1\n13800000002,音乐,2087-04-03,,0\n`;
    const withBom = await importBilling(db, chunked(Buffer.concat([GB18030_BOM, iconv.encode(text, 'gb18030')])), meta('2087-04'));
    expect(withBom).toMatchObject({ rows: 2, encoding: 'gb18030' });
    expect((await lines(withBom.importId)).map((l) => l.service_code)).toEqual(['视频包', '音乐']);

    const sniffed = await importBilling(db, chunked(iconv.encode(text.replace('音乐', '音乐包'), 'gb18030'), 7), meta('2087-05'));
    expect(sniffed).toMatchObject({ rows: 2, encoding: 'gb18030' });
    expect((await lines(sniffed.importId)).map((l) => l.service_code)).toEqual(['视频包', '音乐包']);

    const named = await importBilling(db, Readable.from([iconv.encode(text, 'gb18030')]), meta('2087-06', { encoding: 'gb18030' }));
    expect(named.encoding).toBe('gb18030');
    expect((await lines(named.importId)).map((l) => l.service_code)).toEqual(['视频包', '音乐']);
  });
});

describe('a bad file is refused with its line numbers, and nothing of it is kept', () => {
  const refusal = async (month: string, bytes: Buffer) => {
    const err = await importBilling(db, chunked(bytes, 64), meta(month)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BillingFileRefused);
    expect(await importsOf(month)).toBe(0);
    expect(await orphanLines()).toBe(0);
    return (err as BillingFileRefused).errors;
  };
  const line = (n: number) => `1380000${String(n).padStart(4, '0')},vas-video,2087-07-01,,true\n`;

  it('a bad date on line 7, and every other bad line of the file', async () => {
    const body = HEADER + line(2) + '13800000003,vas-video,2084-02-29,,true\n' + line(4) + line(5) + line(6)
      + '13800000007,vas-video,2087-02-30,,true\n' + line(8) + '123,vas-video,2087-08-01,2087-06-01,maybe\n'
      + '13800000010,vas-video,2100-02-29,2087-7-20,true\n'
      // digits only: a letter, full-width digits (five characters, fifteen bytes), an escape's backslash
      + '1380000001a,vas-video,2087-07-01,,true\n' + '１３８００,vas-video,2087-07-01,,true\n' + '\\x31380000013,vas-video,2087-07-01,,true\n';
    const errors = await refusal('2087-07', Buffer.from(body));
    expect(errors).toEqual([
      { line: 7, field: 'activated_on', message: 'a day YYYY-MM-DD of the calendar (1900-2099)' },
      { line: 9, field: 'msisdn', message: '5 to 20 digits' },
      { line: 9, field: 'used', message: 'true, false, 1 or 0' },
      { line: 9, field: 'activated_on', message: "after the month's last day" },
      { line: 9, field: 'cancelled_on', message: 'before activated_on' },
      { line: 9, field: 'cancelled_on', message: "before the month's first day" },
      { line: 10, field: 'activated_on', message: 'a day YYYY-MM-DD of the calendar (1900-2099)' },
      { line: 10, field: 'cancelled_on', message: 'a day YYYY-MM-DD of the calendar (1900-2099), or empty while active' },
      { line: 11, field: 'msisdn', message: '5 to 20 digits' },
      { line: 12, field: 'msisdn', message: '5 to 20 digits' },
      { line: 13, field: 'msisdn', message: '5 to 20 digits' },
    ]);
    expect(new BillingFileRefused(errors).message).not.toContain('123');
  });

  it('a wrong column count on line 4', async () => {
    const errors = await refusal('2087-08', Buffer.from(HEADER + line(2) + line(3) + '13800000004,vas-video,2087-07-01,,true,extra\n' + line(5)));
    expect(errors).toEqual([{ line: 4, message: expect.stringMatching(/^too many fields/) }]);
  });

  it('a bad header, a missing header, an empty file, a bad byte', async () => {
    expect(await refusal('2087-09', Buffer.from('msisdn,service,activated_on,cancelled_on,used\n' + line(2))))
      .toEqual([{ line: 1, field: 'service_code', message: expect.stringContaining('the header is exactly') }]);
    const noHeader = await refusal('2087-09', Buffer.from(line(1)));
    expect(noHeader).toEqual([{ line: 1, field: 'msisdn', message: expect.stringContaining('the header is exactly') }]);
    expect(JSON.stringify(noHeader)).not.toContain('13800000001');
    expect(await refusal('2087-09', Buffer.alloc(0))).toEqual([{ line: 1, message: expect.stringContaining('empty') }]);
    expect(await refusal('2087-09', UTF8_BOM)).toEqual([{ line: 1, message: expect.stringContaining('empty') }]);
    const badByte = Buffer.concat([Buffer.from(HEADER + line(2) + '1380000'), Buffer.from([0xff]), Buffer.from('0003,vas-video,2087-07-01,,true\n')]);
    const errors = await importBilling(db, Readable.from([badByte]), meta('2087-09', { encoding: 'utf-8' })).catch((e: BillingFileRefused) => e.errors);
    expect(errors).toEqual([{ line: 3, message: 'invalid byte sequence for encoding "UTF8": 0xff' }]);
  });
});

it('a file larger than allowed, or cut off by its sender, stops the COPY and leaves nothing; the connection serves on', async () => {
  const big = Buffer.from(good('2087-09').repeat(1).padEnd(10_000, '\n'));
  const err = await importBilling(db, chunked(big, 1000), meta('2087-09', { maxBytes: 5_000 })).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BillingFileTooLarge);
  async function* cut() { yield Buffer.from(`${HEADER}13800000001,vas-video,2087-09-01,,true\n`); throw new Error('connection reset by the sender'); }
  await expect(importBilling(db, Readable.from(cut()), meta('2087-09'))).rejects.toThrow('connection reset by the sender');
  expect(await importsOf('2087-09')).toBe(0);
  const after = await Promise.all([1, 2, 3, 4].map(() => db.query('SELECT 1 AS ok')));
  expect(after.map((r) => r.rows[0].ok)).toEqual([1, 1, 1, 1]);
});

describe("the BSS sim's export, through the activity", () => {
  const acts = () => createBillingActivities({ db, bssUrl, timeoutMs: 5_000 });
  const put = async (rows: object[]) => {
    const res = await fetch(`${bssUrl}/exports/subscriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows }) });
    expect(res.status).toBe(200);
  };
  const setExport = (config: object) => fetch(`${bssUrl}/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });

  it('streams the month: the subscriptions put in that were active then, and the synthetic population; a retry reuses', async () => {
    await put([
      { msisdn: '13900000001', serviceCode: 'vas-video', activatedOn: '2087-10-03', used: true },
      { msisdn: '13900000002', serviceCode: 'vas-video', activatedOn: '2087-09-03', cancelledOn: '2087-09-30' }, // gone before October
      { msisdn: '13900000003', serviceCode: 'vas-music', activatedOn: '2087-11-01' }, // not yet
    ]);
    const env = new MockActivityEnvironment();
    const got = await env.run(acts().importBillingFromBss, '2087-10') as { importId: number; rows: number; reused: boolean };
    expect(got).toMatchObject({ rows: 20_001, reused: false });
    const { rows } = await db.query(`SELECT msisdn FROM billing_lines WHERE import_id = $1 AND msisdn LIKE '139%'`, [got.importId]);
    expect(rows).toEqual([{ msisdn: '13900000001' }]);
    const used = await db.query(`SELECT count(*) FILTER (WHERE used) AS used FROM billing_subscriptions WHERE import_id = $1`, [got.importId]);
    expect(Number(used.rows[0].used)).toBeGreaterThan(8_000); // usedShare 0.5
    expect(await env.run(acts().importBillingFromBss, '2087-10')).toEqual({ ...got, reused: true });
  });

  it('a GB18030 export with a BOM imports as the UTF-8 one does', async () => {
    const res = await fetch(`${bssUrl}/exports/active-subscriptions?month=2087-10&encoding=gb18030&bom=true`);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 4)).toEqual(GB18030_BOM);
    const got = await importBilling(db, chunked(bytes, 65_536), meta('2087-10'));
    expect(got).toMatchObject({ rows: 20_001, encoding: 'gb18030' });
  });

  it('cancelled while it waits for the month (a worker shutting down): fails with the cancellation, nothing escapes uncaught, nothing kept', async () => {
    // The month's import lock held here: the import waits for it before it reads the BSS's answer.
    const holder = await db.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [IMPORT_LOCK, '2087-11']);
    const env = new MockActivityEnvironment();
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => { uncaught.push(err); };
    process.on('uncaughtException', onUncaught);
    try {
      const run = env.run(acts().importBillingFromBss, '2087-11').catch((e: unknown) => e);
      await waitUntil('the import waiting for the month', async () => (await db.query(
        `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%pg_advisory_xact_lock%' AND pid <> pg_backend_pid()`)).rowCount! >= 1);
      env.cancel('WORKER_SHUTDOWN');
      await new Promise((resolve) => setTimeout(resolve, 200)); // the aborted answer's 'error' event
      await holder.query('ROLLBACK');
      expect(await run).toBeInstanceOf(Error);
      expect(uncaught).toEqual([]);
      expect(await importsOf('2087-11')).toBe(0);
    } finally {
      process.off('uncaughtException', onUncaught);
      await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
    }
  });

  it('a refused export is final, without phone numbers in the failure; a BSS fault is retried', async () => {
    // Lines 2 and 3 are the good rows put in above that are active in December.
    await put([{ msisdn: '13900000077', serviceCode: 'vas-video', activatedOn: '2087-12-32', month: '2087-12' }]);
    const err = await new MockActivityEnvironment().run(acts().importBillingFromBss, '2087-12').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'BillingFileRefused', nonRetryable: true });
    expect((err as Error).message).toMatch(/line 4 activated_on: a day YYYY-MM-DD/);
    expect((err as Error).message).not.toContain('13900000077');
    expect(await importsOf('2087-12')).toBe(0);

    await setExport({ faults: { errorRate: 1 } });
    try {
      const fault = await new MockActivityEnvironment().run(acts().importBillingFromBss, '2087-10').catch((e: unknown) => e);
      expect(fault).toBeInstanceOf(Error);
      expect(fault).not.toBeInstanceOf(ApplicationFailure);
      expect((fault as Error).message).toMatch(/answered 503/);
    } finally {
      await setExport({ faults: { errorRate: 0 } });
    }
  });
});
