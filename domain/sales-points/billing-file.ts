/**
 * Billing's list of the subscriptions active and paid in a month, as a file (docs/sales-points.md,
 * "Billing's list"): CSV, its header exactly `msisdn,service_code,activated_on,cancelled_on,used`,
 * UTF-8 or GB18030, with or without a BOM. Postgres's COPY reads the rows; what is decided here
 * is the encoding, the BOM, and the line a refusal names.
 */

export const BILLING_COLUMNS = ['msisdn', 'service_code', 'activated_on', 'cancelled_on', 'used'] as const;
export const BILLING_HEADER = BILLING_COLUMNS.join(',');

export const BILLING_ENCODINGS = ['utf-8', 'gb18030'] as const;
export type BillingEncoding = (typeof BILLING_ENCODINGS)[number];

/** Postgres's name of each encoding, for COPY's ENCODING option. */
export const PG_ENCODING: Record<BillingEncoding, string> = { 'utf-8': 'UTF8', gb18030: 'GB18030' };

export const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
export const GB18030_BOM = Buffer.from([0x84, 0x31, 0x95, 0x33]);

/** The longest BOM: how many bytes must be seen before the BOM can be told. */
export const BOM_BYTES = GB18030_BOM.length;

/** A line of a refused file, and why (`field`: the column at fault, when one is). */
export interface LineError {
  line: number;
  field?: string;
  message: string;
}

/** At most this many bad lines are listed in a refusal (the first ones, by line). */
export const MAX_LISTED_ERRORS = 50;

/**
 * The file's encoding and how many bytes of BOM to drop, from its first bytes: the BOM when there
 * is one (it wins over what the sender said), else the encoding the sender named, else UTF-8 when
 * the bytes seen so far are UTF-8 (a character cut at the end of them is fine), else GB18030.
 */
export function detectEncoding(head: Buffer, named?: BillingEncoding): { encoding: BillingEncoding; bomBytes: number } {
  if (startsWith(head, UTF8_BOM)) return { encoding: 'utf-8', bomBytes: UTF8_BOM.length };
  if (startsWith(head, GB18030_BOM)) return { encoding: 'gb18030', bomBytes: GB18030_BOM.length };
  if (named) return { encoding: named, bomBytes: 0 };
  return { encoding: isUtf8Prefix(head) ? 'utf-8' : 'gb18030', bomBytes: 0 };
}

const startsWith = (head: Buffer, prefix: Buffer) => head.length >= prefix.length && head.subarray(0, prefix.length).equals(prefix);

function isUtf8Prefix(bytes: Buffer): boolean {
  try {
    // stream: a multi-byte character cut at the end of the bytes seen is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** Postgres's error of a COPY that could not read the file (a SQLSTATE, a message, its CONTEXT). */
export interface CopyFailure {
  code?: string;
  message: string;
  where?: string;
}

/**
 * The refusal for a file COPY itself could not read: the line Postgres names in its context
 * ("COPY billing_staging, line 4: …"), and its reason without the line's text (which holds phone
 * numbers). Undefined when the error is not about the file (then it is a fault, retried).
 */
export function copyFailureLine(err: CopyFailure): LineError | undefined {
  // 22P04 bad_copy_file_format, 22021 character_not_in_repertoire (a bad byte), 22P05 untranslatable character.
  if (!err.code || !['22P04', '22021', '22P05'].includes(err.code)) return undefined;
  const line = Number(/\bline (\d+)/.exec(err.where ?? '')?.[1] ?? 1);
  const column = /\bline \d+, column (\w+)/.exec(err.where ?? '')?.[1];
  const header = /^column name mismatch in header line field (\d+): got .*, expected "(\w+)"$/s.exec(err.message);
  if (header) {
    return { line: 1, field: header[2], message: `the header's field ${header[1]} must be ${header[2]}: the header is exactly ${BILLING_HEADER}` };
  }
  if (/header line/.test(err.message)) return { line: 1, message: `${err.message}: the header is exactly ${BILLING_HEADER}` };
  const missing = /^missing data for column "(\w+)"$/.exec(err.message);
  if (missing) return { line, field: missing[1], message: `too few fields: no ${missing[1]} (5 fields a line: ${BILLING_HEADER})` };
  if (/^extra data after last expected column$/.test(err.message)) return { line, message: `too many fields (5 fields a line: ${BILLING_HEADER})` };
  if (/^unterminated CSV quoted field$/.test(err.message)) return { line, message: 'a quoted field opened on this line or before is never closed' };
  // A bad byte's message names the bytes and the encoding, never the line's text.
  return { line, ...(column ? { field: column } : {}), message: err.message };
}

/** One line of text for a refusal: the first errors, each by its line (no field values: they hold phone numbers). */
export function describeRefusal(errors: readonly LineError[], listed = 5): string {
  const shown = errors.slice(0, listed).map((e) => `line ${e.line}${e.field ? ` ${e.field}` : ''}: ${e.message}`);
  return `the billing file was refused, nothing of it was used: ${shown.join('; ')}${errors.length > listed ? `; … (${errors.length} listed)` : ''}`;
}
