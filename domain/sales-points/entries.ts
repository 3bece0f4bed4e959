import { normalizeMsisdn } from '../compliance/numbers';
import { ISO_DATETIME_PATTERN } from '../datetime';
import { retiredOn, termInForce } from './catalogue';
import { dayAt } from './month';
import type { Month } from './month';
import type { CsvRecord, LineProblem } from './organisation';

/**
 * Recording a sale (docs/sales-points.md): who may, what a sale must name, and the month it counts
 * in. The one-entry rule (one entry per number, service and month) is the table's UNIQUE
 * constraint, so two sales racing are decided by Postgres, not here.
 */

/** How a sale was made (sales_entries.sale_channel); orders add their own channel (outbound, api, followup). */
export const SALE_CHANNELS = ['shop', 'hotline', 'web', 'field', 'outbound', 'followup'] as const;
export type SaleChannel = (typeof SALE_CHANNELS)[number];

/** The channel a sale is recorded with when its caller names none: a shop's staff sell in the shop, agents on the hotline. */
export const defaultSaleChannel = (role: string): SaleChannel => (role === 'agent' ? 'hotline' : 'shop');

/** A clock may be a little ahead of ours: a sale this far in the future is taken as now-ish. */
export const FUTURE_SKEW_MS = 5 * 60_000;

export interface CatalogueService {
  code: string;
  retiredOn: string | null;
  terms: { effectiveFrom: string }[];
}
export interface SellerStaff {
  id: string;
  active: boolean;
}

export interface SaleInput {
  serviceCode: string;
  msisdn: string;
  soldAt: Date;
  staffId: string;
}
export interface CheckedSale {
  serviceCode: string;
  msisdn: string;
  soldAt: Date;
  staffId: string;
  month: Month;
  day: string;
}
/** A sale refused before it reaches the table, with the field at fault (serviceCode, msisdn, soldAt, staffId). */
export interface SaleProblem {
  field: 'serviceCode' | 'msisdn' | 'soldAt' | 'staffId';
  message: string;
}

/** The sale as it is recorded, or why it cannot be: the seller, the number, the day, the service and its terms that day. */
export function checkSale(
  input: SaleInput,
  ctx: { staff: SellerStaff | undefined; service: CatalogueService | undefined; now: Date; timeZone: string },
): CheckedSale | SaleProblem {
  if (!ctx.staff) return { field: 'staffId', message: `no staff member ${input.staffId}` };
  if (!ctx.staff.active) return { field: 'staffId', message: `staff member ${input.staffId} is not active` };
  const number = normalizeMsisdn(input.msisdn);
  if ('problem' in number) return { field: 'msisdn', message: number.problem };
  if (Number.isNaN(input.soldAt.getTime())) return { field: 'soldAt', message: 'not a time' };
  if (input.soldAt.getTime() > ctx.now.getTime() + FUTURE_SKEW_MS) return { field: 'soldAt', message: `${input.soldAt.toISOString()} is in the future` };
  const day = dayAt(input.soldAt, ctx.timeZone);
  if (!ctx.service) return { field: 'serviceCode', message: `no service ${input.serviceCode} in the catalogue` };
  if (retiredOn(ctx.service.retiredOn, day)) return { field: 'serviceCode', message: `${input.serviceCode} is retired from ${ctx.service.retiredOn} (the sale is of ${day})` };
  if (!termInForce(ctx.service.terms, day)) return { field: 'soldAt', message: `${input.serviceCode} has no terms in force on ${day}` };
  // The day's month is monthAt(soldAt, timeZone), without a second formatter.
  return { serviceCode: input.serviceCode, msisdn: number.msisdn, soldAt: input.soldAt, staffId: input.staffId, month: day.slice(0, 7), day };
}

export const isSaleProblem = (s: CheckedSale | SaleProblem): s is SaleProblem => 'field' in s;

/** The sales file's columns (header names); customer_id, sale_channel and sold_at may be left out. */
export const SALES_CSV_REQUIRED = ['staff_id', 'service_code', 'msisdn'] as const;
export const SALES_CSV_OPTIONAL = ['sold_at', 'sale_channel', 'customer_id'] as const;
const CSV_FIELD: Record<SaleProblem['field'], string> = { serviceCode: 'service_code', msisdn: 'msisdn', soldAt: 'sold_at', staffId: 'staff_id' };

export function salesHeaderProblem(columns: readonly string[]): string | undefined {
  const missing = SALES_CSV_REQUIRED.filter((c) => !columns.includes(c));
  const all = [...SALES_CSV_REQUIRED, ...SALES_CSV_OPTIONAL];
  if (missing.length) return `the header names no ${missing.join(', ')} (columns: ${all.join(',')})`;
  const unknown = columns.filter((c) => !(all as string[]).includes(c));
  if (unknown.length) return `unknown columns ${unknown.join(', ')} (columns: ${all.join(',')})`;
  if (new Set(columns).size !== columns.length) return 'a column named twice';
  return undefined;
}

export interface SaleLine extends CheckedSale {
  line: number;
  saleChannel: string;
  customerId: number | null;
}
/** A line of the file that is well-formed but not recorded (a second sale of the number, a closed month), and why. */
export interface RefusedLine {
  line: number;
  reason: 'duplicate-in-file' | 'already-recorded' | 'month-closed';
  message: string;
}

/**
 * The sales file's lines as sales, or the problems of its bad lines (then nothing of it is used).
 * A caller who is not an admin records their own sales only: staff_id is theirs or empty. A second
 * line of a number, service and month is refused (the first one counts), not a bad line.
 */
export function checkSaleRecords(records: readonly CsvRecord[], ctx: {
  staff: ReadonlyMap<string, SellerStaff>;
  services: ReadonlyMap<string, CatalogueService>;
  now: Date;
  timeZone: string;
  caller: { sub: string; role: string };
}): { lines: SaleLine[]; refused: RefusedLine[]; problems: LineProblem[] } {
  const lines: SaleLine[] = [];
  const refused: RefusedLine[] = [];
  const problems: LineProblem[] = [];
  const first = new Map<string, number>();
  for (const { line, fields } of records) {
    const f = (name: string) => (fields[name] ?? '').trim();
    const own = ctx.caller.role !== 'admin';
    const staffId = f('staff_id') || (own ? ctx.caller.sub : '');
    if (own && staffId !== ctx.caller.sub) { problems.push({ line, message: `staff_id: ${ctx.caller.sub} records their own sales only` }); continue; }
    const soldAtText = f('sold_at');
    const soldAt = soldAtText ? new Date(soldAtText) : ctx.now;
    if (soldAtText && (!ISO_DATETIME_PATTERN.test(soldAtText) || Number.isNaN(soldAt.getTime()))) {
      problems.push({ line, message: 'sold_at: an ISO 8601 time with its offset, e.g. 2026-11-03T10:15:00+08:00' });
      continue;
    }
    const saleChannel = f('sale_channel').toLowerCase() || defaultSaleChannel(ctx.caller.role);
    if (!(SALE_CHANNELS as readonly string[]).includes(saleChannel)) { problems.push({ line, message: `sale_channel: one of ${SALE_CHANNELS.join(', ')}` }); continue; }
    const customerText = f('customer_id');
    if (customerText && !/^[1-9]\d{0,14}$/.test(customerText)) { problems.push({ line, message: 'customer_id: a customer id (digits)' }); continue; }
    const serviceCode = f('service_code').toLowerCase();
    const sale = checkSale({ serviceCode, msisdn: f('msisdn'), soldAt, staffId }, {
      staff: ctx.staff.get(staffId), service: ctx.services.get(serviceCode), now: ctx.now, timeZone: ctx.timeZone,
    });
    if (isSaleProblem(sale)) { problems.push({ line, message: `${CSV_FIELD[sale.field]}: ${sale.message}` }); continue; }
    const key = `${sale.msisdn}/${sale.serviceCode}/${sale.month}`;
    const earlier = first.get(key);
    if (earlier !== undefined) {
      refused.push({ line, reason: 'duplicate-in-file', message: `the same number, service and month as line ${earlier}: one entry per customer per service per month` });
      continue;
    }
    first.set(key, line);
    lines.push({ ...sale, line, saleChannel, customerId: customerText ? Number(customerText) : null });
  }
  if (!records.length) problems.push({ line: 2, message: 'no sales: the file has a header and nothing else' });
  return problems.length ? { lines: [], refused: [], problems: problems.slice(0, 100) } : { lines, refused, problems };
}
