import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import { z } from 'zod';
import { unit } from './rand';
import { RateSchema, parseOr400, unavailable } from './service';

// Billing's export of the subscriptions active and paid in a month (sim/README.md, "Export"): what
// the sales-points reconciliation imports. The sim's own activations, the rows a test put in, and a
// synthetic population as large as asked, streamed (a million rows never sit in memory).

export const BssExportConfigSchema = z.strictObject({
  /** Subscriptions made up for every month's export, beside the real activations: a big file on demand. */
  syntheticRows: z.number().int().min(0).max(50_000_000).default(0),
  /** Share of the synthetic subscriptions and of the activations that billing shows as used. */
  usedShare: RateSchema.default(0.8),
  /** The zone an activation's instant is turned into billing's day in. */
  timeZone: z.string().min(1).default('Asia/Shanghai').refine((zone) => {
    try { new Intl.DateTimeFormat('en-CA', { timeZone: zone }); return true; } catch { return false; }
  }, 'an IANA time zone, e.g. Asia/Shanghai'),
}).prefault({});
export type BssExportConfig = z.infer<typeof BssExportConfigSchema>;

/** What the export needs of an activation of the sim's (sim/bss.ts). */
export interface ExportedActivation {
  activationId: string;
  msisdn: string;
  serviceCode: string;
  activatedAt: string;
  deactivatedAt?: string;
}

const MONTH = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM');
const DAY = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day YYYY-MM-DD');
const ExportQuerySchema = z.strictObject({
  month: MONTH,
  encoding: z.enum(['utf-8', 'gb18030']).default('utf-8'),
  bom: z.enum(['true', 'false']).default('false'),
});

/**
 * A subscription a test puts into the export. With `month` it is served in that month's export as
 * given, unchecked (a test can make billing serve a bad line); without, in every month it was
 * active, by its days.
 */
const PutRowSchema = z.strictObject({
  msisdn: z.string().min(1).max(100),
  serviceCode: z.string().max(200),
  activatedOn: z.string().max(100),
  cancelledOn: z.string().max(100).nullable().optional(),
  used: z.union([z.boolean(), z.string().max(20)]).default(true),
  month: MONTH.optional(),
});
const PutRowsSchema = z.strictObject({ rows: z.array(PutRowSchema).min(1).max(100_000) }).superRefine((body, ctx) => {
  body.rows.forEach((row, i) => {
    if (row.month) return;
    for (const key of ['activatedOn', 'cancelledOn'] as const) {
      const value = row[key];
      if (value && !DAY.safeParse(value).success) ctx.addIssue({ code: 'custom', path: ['rows', i, key], message: 'a day YYYY-MM-DD (or give month to serve the row as is)' });
    }
  });
});
type PutRow = z.infer<typeof PutRowSchema>;

const HEADER = ['msisdn', 'service_code', 'activated_on', 'cancelled_on', 'used'];
const SYNTHETIC_SERVICES = ['vas-video', 'vas-music', 'vas-cloud', 'vas-news', 'vas-roaming'];
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const GB18030_BOM = Buffer.from([0x84, 0x31, 0x95, 0x33]);

type Line = [string, string, string, string, string];

export function mountExport(app: FastifyInstance, sim: {
  seed(): string | number;
  config(): BssExportConfig;
  errorRate(): number;
  activations(): Iterable<ExportedActivation>;
}): void {
  const putRows: PutRow[] = [];
  let requests = 0;

  app.get('/exports/active-subscriptions', async (request, reply) => {
    const query = parseOr400(ExportQuerySchema, request.query, reply, ['query']);
    if (!query) return reply;
    requests += 1;
    if (unit(sim.seed(), 'export', query.month, requests) < sim.errorRate()) return unavailable(reply);
    const config = sim.config();
    const lines = exportLines(query.month, config, sim.seed(), [...sim.activations()], [...putRows]);
    const bom = query.bom === 'true' ? (query.encoding === 'gb18030' ? GB18030_BOM : UTF8_BOM) : undefined;
    const body = Readable.from(encoded(lines, synthetic(query.month, config, sim.seed()), query.encoding, bom), { objectMode: false });
    return reply
      .header('content-type', `text/csv; charset=${query.encoding}`)
      .header('content-disposition', `attachment; filename="active-subscriptions-${query.month}.csv"`)
      .send(body);
  });

  app.post('/exports/subscriptions', async (request, reply) => {
    const body = parseOr400(PutRowsSchema, request.body, reply);
    if (!body) return reply;
    putRows.push(...body.rows);
    return { added: body.rows.length, total: putRows.length };
  });
  app.delete('/exports/subscriptions', async () => {
    const removed = putRows.length;
    putRows.length = 0;
    return { removed };
  });
}

/**
 * The file's bytes, a few thousand lines at a time (a stream or a write per line costs seconds a
 * million): the real rows through csv-stringify (their text may need quotes), then the synthetic
 * ones, whose fields are digits, fixed codes and days that never do.
 */
function* encoded(lines: Iterable<Line>, synthetic: Iterable<string>, encoding: 'utf-8' | 'gb18030', bom: Buffer | undefined): Generator<Buffer> {
  const encode = (text: string) => (encoding === 'gb18030' ? iconv.encode(text, 'gb18030') : Buffer.from(text, 'utf8'));
  if (bom) yield bom;
  yield encode(stringify([HEADER]));
  let batch: Line[] = [];
  for (const line of lines) {
    batch.push(line);
    if (batch.length === 4096) {
      yield encode(stringify(batch));
      batch = [];
    }
  }
  if (batch.length) yield encode(stringify(batch));
  for (const text of synthetic) yield encode(text);
}

/** The month's real lines: the activations active in it, then the rows put in. */
function* exportLines(month: string, config: BssExportConfig, seed: string | number, activations: ExportedActivation[], putRows: PutRow[]): Generator<Line> {
  const first = `${month}-01`;
  const last = lastDay(month);
  const activeIn = (on: string, off: string | null | undefined) => on <= last && (!off || off >= first);
  const dayOf = dayFormatter(config.timeZone);
  for (const a of activations) {
    const on = dayOf(a.activatedAt);
    const off = a.deactivatedAt ? dayOf(a.deactivatedAt) : '';
    if (!activeIn(on, off)) continue;
    const used = unit(seed, 'used', a.activationId) < config.usedShare;
    yield [a.msisdn.replace(/^\+/, ''), a.serviceCode, on, off, String(used)];
  }
  for (const r of putRows) {
    if (r.month ? r.month !== month : !activeIn(r.activatedOn, r.cancelledOn)) continue;
    yield [r.msisdn, r.serviceCode, r.activatedOn, r.cancelledOn ?? '', String(r.used)];
  }
}

/**
 * A made-up population, the same every month for a seed: numbers 19xxxxxxxxx from an offset of
 * the seed, activated up to 90 days before the month's end, one in ten cancelled mid-month.
 * Cheap per row (no hash), so a million rows stream in about a second.
 */
function* synthetic(month: string, config: BssExportConfig, seed: string | number): Generator<string> {
  if (config.syntheticRows === 0) return;
  const offset = Math.floor(unit(seed, 'export-offset') * 1e8);
  const salt = Math.floor(unit(seed, 'export-used') * 2 ** 32);
  const end = new Date(`${lastDay(month)}T00:00:00Z`).getTime();
  const days = Array.from({ length: 90 }, (_, back) => new Date(end - back * 86_400_000).toISOString().slice(0, 10));
  const mid = `${month}-15`;
  let text = '';
  for (let i = 0; i < config.syntheticRows; i++) {
    const msisdn = `19${String((offset + i) % 1e9).padStart(9, '0')}`;
    const on = days[i % 90]!;
    const used = ((Math.imul(i + 1, 2654435761) ^ salt) >>> 0) / 2 ** 32 < config.usedShare;
    text += `${msisdn},${SYNTHETIC_SERVICES[i % SYNTHETIC_SERVICES.length]},${on},${i % 10 === 9 && on < mid ? mid : ''},${used}\n`;
    if (i % 4096 === 4095) {
      yield text;
      text = '';
    }
  }
  if (text) yield text;
}

function lastDay(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

function dayFormatter(timeZone: string): (iso: string) => string {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (iso) => format.format(new Date(iso));
}
