/**
 * The organisation (docs/sales-points.md): departments (营业部) hold areas (营业区域), areas hold
 * outlets (营业厅), an outlet is the operator's own or a partner's; staff (营业员) work in an outlet.
 * The staff file's lines are checked here, against the organisation as it is and the file's own
 * earlier lines, so a file is loaded whole or not at all.
 */

export const ORG_KINDS = ['department', 'area', 'outlet'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];
export const OUTLET_CHANNELS = ['own', 'partner'] as const;
export type OutletChannel = (typeof OUTLET_CHANNELS)[number];

/** The kind of unit each kind's parent is. */
export const PARENT_KIND: Record<OrgKind, OrgKind | null> = { department: null, area: 'department', outlet: 'area' };

export const ORG_CODE_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;
export const STAFF_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

export interface OrgUnit {
  code: string;
  kind: OrgKind;
  parent: string | null;
  channel: OutletChannel | null;
}

/** The staff file's columns: the required ones, then the optional. */
export const STAFF_CSV_REQUIRED = ['staff_id', 'name', 'outlet', 'area', 'department', 'channel'] as const;
export const STAFF_CSV_OPTIONAL = ['bank_account_ref', 'active'] as const;

export interface CsvRecord {
  /** The record's line in the file (the header is line 1). */
  line: number;
  fields: Record<string, string | undefined>;
}
export interface LineProblem {
  line: number;
  message: string;
}

export interface StaffRow {
  id: string;
  name: string;
  outlet: string;
  bankAccountRef: string | null;
  active: boolean;
}

/** What is wrong with a staff file's header, or undefined. */
export function staffHeaderProblem(columns: readonly string[]): string | undefined {
  const missing = STAFF_CSV_REQUIRED.filter((c) => !columns.includes(c));
  if (missing.length) return `the header names no ${missing.join(', ')} (columns: ${[...STAFF_CSV_REQUIRED, ...STAFF_CSV_OPTIONAL].join(',')})`;
  const known = new Set<string>([...STAFF_CSV_REQUIRED, ...STAFF_CSV_OPTIONAL]);
  const unknown = columns.filter((c) => !known.has(c));
  if (unknown.length) return `unknown columns ${unknown.join(', ')} (columns: ${[...known].join(',')})`;
  if (new Set(columns).size !== columns.length) return 'a column named twice';
  return undefined;
}

const ACTIVE: Record<string, boolean> = { '': true, true: true, yes: true, '1': true, false: false, no: false, '0': false };
const MAX_PROBLEMS = 100;

/**
 * The staff file's rows and the units it brings that do not exist yet, or the problems of its
 * lines. A unit the file names must agree with the organisation (an outlet in another area, or of
 * the other channel, is a bad line: the file does not move outlets) and with the file's earlier lines.
 */
export function checkStaffRecords(records: readonly CsvRecord[], existing: ReadonlyMap<string, OrgUnit>): {
  rows: StaffRow[];
  newUnits: OrgUnit[];
  problems: LineProblem[];
} {
  const units = new Map(existing);
  const newUnits: OrgUnit[] = [];
  const rows: StaffRow[] = [];
  const problems: LineProblem[] = [];
  const seen = new Map<string, number>();
  for (const { line, fields } of records) {
    const f = (name: string) => (fields[name] ?? '').trim();
    const bad = (message: string) => problems.push({ line, message });
    const id = f('staff_id');
    const name = f('name');
    const channel = f('channel').toLowerCase();
    const codes = { outlet: f('outlet').toLowerCase(), area: f('area').toLowerCase(), department: f('department').toLowerCase() };
    const active = ACTIVE[f('active').toLowerCase()];
    if (!STAFF_ID_PATTERN.test(id)) { bad('staff_id: letters, digits, _ and -, at most 40'); continue; }
    if (seen.has(id)) { bad(`staff_id: ${id} is on line ${seen.get(id)} already`); continue; }
    seen.set(id, line);
    if (!name || name.length > 200 || name.includes('\u0000')) { bad('name: 1 to 200 characters'); continue; }
    const badCode = (Object.keys(codes) as (keyof typeof codes)[]).find((k) => !ORG_CODE_PATTERN.test(codes[k]));
    if (badCode) { bad(`${badCode}: lower-case letters, digits and dashes, at most 40`); continue; }
    if (!(OUTLET_CHANNELS as readonly string[]).includes(channel)) { bad(`channel: ${OUTLET_CHANNELS.join(' or ')}`); continue; }
    if (active === undefined) { bad('active: true or false (empty: true)'); continue; }
    const bank = f('bank_account_ref');
    if (bank.length > 100 || bank.includes('\u0000')) { bad('bank_account_ref: at most 100 characters'); continue; }
    // Top down, so each unit's parent is known before the unit is checked.
    const wanted: OrgUnit[] = [
      { code: codes.department, kind: 'department', parent: null, channel: null },
      { code: codes.area, kind: 'area', parent: codes.department, channel: null },
      { code: codes.outlet, kind: 'outlet', parent: codes.area, channel: channel as OutletChannel },
    ];
    const clash = wanted.map((w) => unitClash(units.get(w.code), w)).find(Boolean);
    if (clash) { bad(clash); continue; }
    for (const w of wanted) {
      if (units.has(w.code)) continue;
      units.set(w.code, w);
      newUnits.push(w);
    }
    rows.push({ id, name, outlet: codes.outlet, bankAccountRef: bank || null, active });
  }
  if (!records.length) problems.push({ line: 2, message: 'no staff: the file has a header and nothing else' });
  return problems.length ? { rows: [], newUnits: [], problems: problems.slice(0, MAX_PROBLEMS) } : { rows, newUnits, problems };
}

/** Why a unit as the file names it does not agree with the unit as it is, or undefined. */
function unitClash(unit: OrgUnit | undefined, wanted: OrgUnit): string | undefined {
  if (!unit) return undefined;
  const field = wanted.kind;
  if (unit.kind !== wanted.kind) return `${field}: ${wanted.code} is a${unit.kind === 'area' || unit.kind === 'outlet' ? 'n' : ''} ${unit.kind}, not a${field === 'area' || field === 'outlet' ? 'n' : ''} ${field}`;
  if (unit.parent !== wanted.parent) return `${field}: ${wanted.code} is in ${PARENT_KIND[unit.kind]} ${unit.parent}, not ${wanted.parent} (move it with PUT /sales-points/${field}s/${wanted.code})`;
  if (unit.channel !== wanted.channel) return `channel: outlet ${wanted.code} is ${unit.channel}, not ${wanted.channel}`;
  return undefined;
}
