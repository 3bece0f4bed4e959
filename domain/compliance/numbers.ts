import type { Actor } from '../access/roles';

/**
 * Numbers as the do-not-call register and the suppression lists keep them: the 11 digits of a
 * mainland mobile number, as customers.msisdn holds them, so a lookup is an equality. What a
 * person types or a file carries (spaces, dashes, a +86 or 0086 prefix) is brought to that form;
 * anything else is refused with the reason.
 */
export const MSISDN_PATTERN = /^1[0-9]{10}$/;

/** The number in its stored form, or why it is not one. */
export function normalizeMsisdn(raw: string): { msisdn: string } | { problem: string } {
  const compact = raw.trim().replace(/[\s-]/g, '').replace(/^(\+86|0086)/, '');
  if (!compact) return { problem: 'no number' };
  // The value is not quoted: it may be a number, and refusals are kept in the audit log.
  if (!MSISDN_PATTERN.test(compact)) return { problem: 'not an 11-digit mobile number starting with 1 (spaces, dashes and +86 are allowed)' };
  return { msisdn: compact };
}

/** Where a register entry came from (dnc_numbers.source). */
export const DNC_SOURCES = ['api', 'file', 'lead-stop', 'import'] as const;
export type DncSource = (typeof DNC_SOURCES)[number];

/** Why a lead was stopped, as a code a program can act on beside the free text. */
export const STOP_CODES = ['do-not-call', 'complaint', 'other'] as const;
export type StopCode = (typeof STOP_CODES)[number];

/** A stop that puts the lead's number on the do-not-call register: the customer asked not to be called. */
export const stopPutsOnRegister = (code: StopCode | undefined): boolean => code === 'do-not-call';

/** A register entry's reference to the lead whose stop put it there (never the number). */
export const leadStopRef = (campaignId: string, leadId: number): string => `campaign/${campaignId}/lead/${leadId}`;

/** "alice (marketing)": who added or removed an entry, as the register keeps it. */
export const actorText = (actor: Actor): string => `${actor.sub} (${actor.role})`;

/** One record of a number file, as the CSV reader gives it: its line in the file and its fields by header. */
export interface NumberRecord {
  line: number;
  fields: Record<string, string | undefined>;
}

export interface NumberRow {
  msisdn: string;
  reason: string | null;
}

/** A bad line of a file: its line number (1 is the header) and why. */
export interface LineProblem {
  line: number;
  message: string;
}

export const MAX_REASON = 500;
/** At most this many problems are reported: enough to fix a file, not a file's worth of them. */
export const MAX_LINE_PROBLEMS = 100;

/** The columns a number file must have (msisdn) and may have (reason), or why its header will not do. */
export function headerProblem(columns: readonly string[]): string | undefined {
  const known = new Set(['msisdn', 'reason']);
  if (!columns.includes('msisdn')) return `the header must name a column 'msisdn' (and may name 'reason'); it has ${columns.map((c) => `'${c}'`).join(', ') || 'none'}`;
  const other = columns.find((c) => !known.has(c));
  if (other !== undefined) return `unknown column '${other}': the columns are msisdn and reason`;
  if (new Set(columns).size !== columns.length) return 'a column is named twice';
  return undefined;
}

/**
 * A file's records checked line by line: the rows to load when every line is good, else the
 * problems (nothing of a file with one bad line is loaded). A number twice in a file is one row.
 */
export function checkNumberRecords(records: readonly NumberRecord[]): { rows: NumberRow[]; problems: LineProblem[] } {
  const rows = new Map<string, NumberRow>();
  const problems: LineProblem[] = [];
  for (const { line, fields } of records) {
    const number = normalizeMsisdn(fields.msisdn ?? '');
    const reason = fields.reason?.trim() || null;
    if ('problem' in number) problems.push({ line, message: `msisdn: ${number.problem}` });
    else if (reason !== null && reason.length > MAX_REASON) problems.push({ line, message: `reason: at most ${MAX_REASON} characters` });
    else if (reason?.includes('\u0000')) problems.push({ line, message: 'reason: a NUL character' });
    else if (!rows.has(number.msisdn)) rows.set(number.msisdn, { msisdn: number.msisdn, reason });
  }
  if (!records.length) problems.push({ line: 2, message: 'no numbers: the file has a header and nothing else' });
  return { rows: problems.length ? [] : [...rows.values()], problems: problems.slice(0, MAX_LINE_PROBLEMS) };
}

/** A suppression list's id: lower-case letters, digits and dashes, as campaigns name it. */
export const LIST_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;
