import { createReadStream, createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { once } from 'node:events';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db } from '../infra/db';
import { BILLING_HEADER } from '../domain/sales-points/billing-file';
import { monthLastDay, monthStart, type Month } from '../domain/sales-points/month';

/** The bench's services: billing's codes, and the catalogue the entries sell. */
export const SERVICES = ['vas-video', 'vas-music', 'vas-cloud', 'vas-news', 'vas-roaming'];
const AREAS = 10;
const OUTLETS = 100;
export const STAFF = 2_000;
export const ENTRIES_HEADER = 'msisdn,service_code,staff_id,sold_at';

/** 9 in 10 entries are a billing line's number and service (most match); the others a number billing does not have. */
export const MATCHING_SHARE = 0.9;

/**
 * A month's two files, written once per run (deterministic): billing's list of `billingRows`
 * subscriptions (7 in 10 used), and `entries` sales of the month. As in a real month, most sales
 * match: billing activated the subscription on the sale's day or soon after; 1 in 50 was active
 * before the sale, 1 in 40 was cancelled within the month, 1 in 10 sales is not in billing.
 */
export async function writeMonthFiles(dir: string, month: Month, billingRows: number, entries: number): Promise<{ billing: string; entries: string }> {
  const first = new Date(`${monthStart(month)}T00:00:00Z`).getTime();
  const lastDay = Number(monthLastDay(month).slice(8));
  const day = (offset: number) => new Date(first + offset * 86_400_000).toISOString().slice(0, 10);
  const days = Array.from({ length: 90 + lastDay }, (_, i) => day(i - 90)); // 90 days before the month to its end
  const step = Math.max(1, Math.floor(billingRows / entries));
  const saleDay = (k: number) => k % lastDay;
  const billingPath = path.join(dir, `billing-${month}.csv`);
  await writeLines(billingPath, BILLING_HEADER, billingRows, (i) => {
    const k = i / step;
    const sold = Number.isInteger(k) && k < entries && k % 10 < MATCHING_SHARE * 10;
    // A sold subscription is activated on its sale's day or up to two days later (within the month);
    // 1 in 50 was activated before it (another channel's sale came first) and 1 in 40 cancelled in the month.
    const on = !sold ? days[i % (90 + lastDay)]!
      : k % 50 === 3 ? day(saleDay(k) - 20) : day(Math.min(lastDay - 1, saleDay(k) + (k % 3)));
    const off = sold ? (k % 40 === 1 ? day(lastDay - 2) : '') : i % 20 === 7 ? day(lastDay - 5) : '';
    return `${msisdnOf(i)},${serviceOf(i)},${on},${off && off >= on ? off : ''},${i % 10 < 7}`;
  });
  // Entry k is billing line 5k (every fifth line, so spread over the file) or, for one in ten, a number billing lacks.
  const entriesPath = path.join(dir, `entries-${month}.csv`);
  await writeLines(entriesPath, ENTRIES_HEADER, entries, (k) => {
    const matching = k % 10 < MATCHING_SHARE * 10;
    const i = k * step;
    const msisdn = matching ? msisdnOf(i) : `15${String(k).padStart(9, '0')}`;
    const soldAt = `${day(saleDay(k))}T0${k % 10}:${String(k % 60).padStart(2, '0')}:00Z`;
    return `${msisdn},${serviceOf(i)},staff-${k % STAFF},${soldAt}`;
  });
  return { billing: billingPath, entries: entriesPath };
}

const msisdnOf = (i: number) => `13${String(i).padStart(9, '0')}`;
/** Billing line i's service: every service among every fifth line too (the lines entries take). */
const serviceOf = (i: number) => SERVICES[(i + Math.floor(i / 5)) % SERVICES.length]!;

async function writeLines(file: string, header: string, count: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(file);
  out.write(`${header}\n`);
  let text = '';
  for (let i = 0; i < count; i++) {
    text += `${line(i)}\n`;
    if (i % 8192 === 8191) {
      if (!out.write(text)) await once(out, 'drain');
      text = '';
    }
  }
  out.end(text);
  await once(out, 'finish');
}

/** The organisation, the catalogue and its terms: what entries need, made once. */
export async function ensureCatalogue(db: Db): Promise<void> {
  await db.query(`
    INSERT INTO sales_org_units (code, kind, name, parent, channel) VALUES ('dept-1', 'department', 'Department 1', NULL, NULL) ON CONFLICT DO NOTHING;
    INSERT INTO sales_org_units (code, kind, name, parent, channel)
      SELECT 'area-' || a, 'area', 'Area ' || a, 'dept-1', NULL FROM generate_series(1, ${AREAS}) a ON CONFLICT DO NOTHING;
    INSERT INTO sales_org_units (code, kind, name, parent, channel)
      SELECT 'outlet-' || o, 'outlet', 'Outlet ' || o, 'area-' || (o % ${AREAS} + 1), CASE WHEN o % 3 = 0 THEN 'partner' ELSE 'own' END
        FROM generate_series(1, ${OUTLETS}) o ON CONFLICT DO NOTHING;
    INSERT INTO staff (id, name, outlet, bank_account_ref, updated_by)
      SELECT 'staff-' || s, 'Staff ' || s, 'outlet-' || (s % ${OUTLETS} + 1), 'acct-' || s, 'bench' FROM generate_series(0, ${STAFF - 1}) s ON CONFLICT DO NOTHING;
    INSERT INTO sales_services (code, name, updated_by)
      SELECT code, code, 'bench' FROM unnest(ARRAY[${SERVICES.map((s) => `'${s}'`).join(', ')}]) code ON CONFLICT DO NOTHING;
    INSERT INTO sales_service_terms (service_code, effective_from, monthly_tariff, points, requires_usage, set_by)
      SELECT code, '2020-01-01', 30, 8, code = 'vas-cloud', 'bench' FROM sales_services ON CONFLICT DO NOTHING;`);
}

/** The month's entries from the entries file, with each one's outlet, area and department (untimed: before the rounds). */
export async function loadEntries(db: Db, month: Month, file: string): Promise<number> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query(`CREATE TEMP TABLE entries_file (msisdn text, service_code text, staff_id text, sold_at timestamptz) ON COMMIT DROP`);
    await pipeline(createReadStream(file), client.query(copyFrom(`COPY entries_file FROM STDIN WITH (FORMAT csv, HEADER MATCH)`)));
    const { rowCount } = await client.query(`
      INSERT INTO sales_entries (month, service_code, msisdn, staff_id, outlet, area, department, channel, sale_channel, source, sold_at, recorded_by)
      SELECT $1::date, e.service_code, e.msisdn, e.staff_id, o.code, a.code, a.parent, o.channel, 'shop', 'csv', e.sold_at, 'bench'
        FROM entries_file e JOIN staff s ON s.id = e.staff_id JOIN sales_org_units o ON o.code = s.outlet JOIN sales_org_units a ON a.code = o.parent`,
    [monthStart(month)]);
    await client.query('COMMIT');
    return rowCount ?? 0;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/**
 * The bare baseline: both files COPYed into temporary tables, then one hash join counting the
 * entries billing has (number and service). What any reconciliation must at least do.
 */
export async function bareCopyAndJoin(db: Db, files: { billing: string; entries: string }): Promise<{ copyBillingMs: number; totalMs: number; matches: number }> {
  const client = await db.connect();
  try {
    const t = performance.now();
    await client.query('BEGIN');
    await client.query(`CREATE TEMP TABLE bare_billing (msisdn text, service_code text, activated_on date, cancelled_on date, used boolean) ON COMMIT DROP`);
    await client.query(`CREATE TEMP TABLE bare_entries (msisdn text, service_code text, staff_id text, sold_at timestamptz) ON COMMIT DROP`);
    await pipeline(createReadStream(files.billing), client.query(copyFrom('COPY bare_billing FROM STDIN WITH (FORMAT csv, HEADER MATCH)')));
    const copyBillingMs = performance.now() - t;
    await pipeline(createReadStream(files.entries), client.query(copyFrom('COPY bare_entries FROM STDIN WITH (FORMAT csv, HEADER MATCH)')));
    // The best bare plan: a hash join in memory (unanalysed, the planner sorted both for a merge join, twice as slow).
    await client.query(`SET LOCAL work_mem = '64MB'`);
    await client.query('SET LOCAL enable_mergejoin = off');
    await client.query('SET LOCAL enable_nestloop = off');
    const { rows: [row] } = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM bare_entries e JOIN bare_billing b ON b.msisdn = e.msisdn AND b.service_code = e.service_code');
    await client.query('COMMIT');
    return { copyBillingMs, totalMs: performance.now() - t, matches: Number(row!.n) };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** A file as a stream of 64 KB chunks, as a socket would deliver it. */
export const fileStream = (file: string): Readable => createReadStream(file, { highWaterMark: 64 * 1024 });

/** Chinese names for the services: a GB18030 file with characters that really need converting. */
const CHINESE = ['视频包', '音乐包', '云盘', '新闻早报', '国际漫游'];

/** The billing file in GB18030, its service codes in Chinese (for timing transcoding alone). */
export function writeGb18030Copy(billing: string): string {
  let text = readFileSync(billing, 'utf8');
  SERVICES.forEach((code, i) => { text = text.replaceAll(`,${code},`, `,${CHINESE[i]},`); });
  const file = billing.replace(/\.csv$/, '-gb18030.csv');
  writeFileSync(file, iconv.encode(text, 'gb18030'));
  return file;
}

/**
 * Transcoding alone: the GB18030 file COPYed into a temporary table of text columns, converted by
 * COPY's ENCODING option, or by iconv-lite streams in Node with COPY taking UTF-8.
 */
export async function copyTranscoded(db: Db, file: string, how: 'copy-encoding' | 'iconv-lite'): Promise<number> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query('CREATE TEMP TABLE transcoded (msisdn text, service_code text, activated_on text, cancelled_on text, used text) ON COMMIT DROP');
    const t = performance.now();
    const bytes = fileStream(file);
    if (how === 'copy-encoding') {
      await pipeline(bytes, client.query(copyFrom(`COPY transcoded FROM STDIN WITH (FORMAT csv, HEADER MATCH, ENCODING 'GB18030')`)));
    } else {
      await pipeline(bytes, iconv.decodeStream('gb18030'), iconv.encodeStream('utf8'),
        client.query(copyFrom(`COPY transcoded FROM STDIN WITH (FORMAT csv, HEADER MATCH, ENCODING 'UTF8')`)));
    }
    const ms = performance.now() - t;
    await client.query('ROLLBACK');
    return ms;
  } finally {
    client.release();
  }
}
