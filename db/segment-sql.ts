import type { Segment } from '../domain/campaign';
import type { Comparison, Rule } from '../domain/segment';

/**
 * Compiles a segment to a WHERE clause over `customers c`. Column names and operators come from
 * the fixed tables below; every value a user gave travels as a bind parameter ($n). Hand-written
 * because no query builder knows our factor vocabulary, and the compiler is small enough to read.
 */
export class SqlParams {
  readonly values: unknown[] = [];
  constructor(initial: unknown[] = []) {
    this.values.push(...initial);
  }
  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

const OPERATORS: Record<Comparison, string> = { lt: '<', lte: '<=', gt: '>', gte: '>=', eq: '=' };

const NUMERIC_COLUMNS = {
  monthlySpend: ['spend_last_month', 'numeric'],
  tenureMonths: ['tenure_months', 'int'],
  complaints90d: ['complaints_90d', 'int'],
  arrears: ['arrears', 'numeric'],
} as const;

const LIST_COLUMNS = { plan: 'plan', region: 'region', city: 'city' } as const;

export function compileRule(rule: Rule, p: SqlParams): string {
  if ('all' in rule) return `(${rule.all.map((r) => compileRule(r, p)).join(' AND ')})`;
  if ('any' in rule) return `(${rule.any.map((r) => compileRule(r, p)).join(' OR ')})`;
  if ('not' in rule) return `(NOT ${compileRule(rule.not, p)})`;
  switch (rule.factor) {
    case 'contractEndsWithinDays':
      // A customer without a contract never matches (and so matches under `not`).
      return `(c.contract_end IS NOT NULL AND c.contract_end BETWEEN current_date AND current_date + ${p.add(rule.days, 'int')})`;
    case 'spendChangePct':
      return `(c.spend_prev_month > 0 AND (c.spend_last_month - c.spend_prev_month) * 100.0 / c.spend_prev_month ${OPERATORS[rule.op]} ${p.add(rule.value, 'numeric')})`;
    case 'monthlySpend':
    case 'tenureMonths':
    case 'complaints90d':
    case 'arrears': {
      const [column, cast] = NUMERIC_COLUMNS[rule.factor];
      return `(c.${column} ${OPERATORS[rule.op]} ${p.add(rule.value, cast)})`;
    }
    case 'plan':
    case 'region':
    case 'city':
      return `(c.${LIST_COLUMNS[rule.factor]} = ANY(${p.add(rule.in, 'text[]')}))`;
    case 'ownsService':
      return `(c.services @> ARRAY[${p.add(rule.code, 'text')}])`;
    case 'inNetwork':
      return `(c.in_network = ${p.add(rule.value, 'boolean')})`;
  }
}

/** Who the segment selects, before any exclusion. */
export function segmentWhere(segment: Segment, p: SqlParams): string {
  const parts: string[] = [];
  if (segment.regions) parts.push(`c.region = ANY(${p.add(segment.regions, 'text[]')})`);
  if (segment.plans) parts.push(`c.plan = ANY(${p.add(segment.plans, 'text[]')})`);
  if (segment.inNetwork !== undefined) parts.push(`c.in_network = ${p.add(segment.inNetwork, 'boolean')}`);
  if (segment.rule) parts.push(compileRule(segment.rule, p));
  return parts.length ? parts.join(' AND ') : 'true';
}

/** A mobile number we may dial: 11 digits, 13x–19x. */
export const VALID_NUMBER = `c.msisdn ~ '^1[3-9][0-9]{9}$'`;

/** The customer asked not to be called, or the number is on the DNC register. */
export const ON_DNC = `(c.dnc OR EXISTS (SELECT 1 FROM dnc_numbers d WHERE d.msisdn = c.msisdn))`;

export const ownsOffer = (p: SqlParams, offerCode: string) => `(c.services @> ARRAY[${p.add(offerCode, 'text')}])`;
