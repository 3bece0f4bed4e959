import type { ContactCap, Segment } from '../../domain/campaign/campaign';
import type { Comparison, Rule } from '../../domain/campaign/segment';
import { onRegister } from '../compliance/dnc-sql';
import { suppressedNumbers } from '../compliance/suppression-sql';

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

export function compileRule(rule: Rule, p: SqlParams, a = 'c'): string {
  if ('all' in rule) return `(${rule.all.map((r) => compileRule(r, p, a)).join(' AND ')})`;
  if ('any' in rule) return `(${rule.any.map((r) => compileRule(r, p, a)).join(' OR ')})`;
  if ('not' in rule) return `(NOT ${compileRule(rule.not, p, a)})`;
  switch (rule.factor) {
    case 'contractEndsWithinDays':
      // A customer without a contract never matches (and so matches under `not`).
      return `(${a}.contract_end IS NOT NULL AND ${a}.contract_end BETWEEN current_date AND current_date + ${p.add(rule.days, 'int')})`;
    case 'spendChangePct':
      return `(${a}.spend_prev_month > 0 AND (${a}.spend_last_month - ${a}.spend_prev_month) * 100.0 / ${a}.spend_prev_month ${OPERATORS[rule.op]} ${p.add(rule.value, 'numeric')})`;
    case 'monthlySpend':
    case 'tenureMonths':
    case 'complaints90d':
    case 'arrears': {
      const [column, cast] = NUMERIC_COLUMNS[rule.factor];
      return `(${a}.${column} ${OPERATORS[rule.op]} ${p.add(rule.value, cast)})`;
    }
    case 'plan':
    case 'region':
    case 'city':
      return `(${a}.${LIST_COLUMNS[rule.factor]} = ANY(${p.add(rule.in, 'text[]')}))`;
    case 'ownsService':
      return `(${a}.services @> ARRAY[${p.add(rule.code, 'text')}])`;
    case 'inNetwork':
      return `(${a}.in_network = ${p.add(rule.value, 'boolean')})`;
  }
}

/** Who the segment selects, before any exclusion. */
export function segmentWhere(segment: Segment, p: SqlParams, a = 'c'): string {
  const parts: string[] = [];
  if (segment.regions) parts.push(`${a}.region = ANY(${p.add(segment.regions, 'text[]')})`);
  if (segment.plans) parts.push(`${a}.plan = ANY(${p.add(segment.plans, 'text[]')})`);
  if (segment.inNetwork !== undefined) parts.push(`${a}.in_network = ${p.add(segment.inNetwork, 'boolean')}`);
  if (segment.rule) parts.push(compileRule(segment.rule, p, a));
  return parts.length ? parts.join(' AND ') : 'true';
}

/** A mobile number we may dial: 11 digits, 13x–19x. */
export const validNumber = (a = 'c') => `${a}.msisdn ~ '^1[3-9][0-9]{9}$'`;

/** The number (an SQL expression) is on the DNC register: an entry in force (db/compliance/dnc-sql.ts). */
export const onDncRegister = (msisdn: string) => onRegister(msisdn);

/**
 * The customer `a` asked not to be called, or `number` (the one dialed: the customer's own unless
 * given, a lead's for a sales call) is on the DNC register.
 */
export const onDnc = (a = 'c', number = `${a}.msisdn`) => `(${a}.dnc OR ${onDncRegister(number)})`;

export const ownsOffer = (p: SqlParams, offerCode: string | undefined, a = 'c') =>
  offerCode ? `(${a}.services @> ARRAY[${p.add(offerCode, 'text')}])` : 'false';

/**
 * Placed marketing calls, the ones the contact cap counts: sales calls and follow-ups that offered
 * something (`offers`), checked clear and given to the dialer.
 */
export const COUNTED_CONTACT = `(a.purpose = 'sales' OR a.offers) AND a.checks->>'result' = 'clear'
  AND a.disposition IS DISTINCT FROM 'blocked' AND a.disposition IS DISTINCT FROM 'not-placed'`;

/**
 * When a call of `a` started, for the cap and the audit: when the dialer took it, else (not taken
 * yet, or logged before that was recorded) when its checks allowed it. Never earlier than the check.
 */
export const DIAL_MOMENT = `COALESCE(a.dialer_took_at, (a.checks->>'checkedAt')::timestamptz, a.started_at)`;

export interface ListCriteria {
  segment: Segment;
  offerCode?: string;
  contactCap?: ContactCap;
  /** The campaign the list is for: its own suppression lists leave numbers off too. */
  campaignId?: string;
}

/**
 * Called at least maxCalls times in the last `days` days, by any campaign (the contact log).
 * Written as `id IN (customers over the cap)` rather than a count per customer: the log of the
 * window is grouped once and Postgres probes it as a hash (a hashed SubPlan), which costs next to
 * nothing per customer; a correlated count(*) was an index probe for each of millions of rows.
 * The hash must fit in work_mem, so the pull raises it for its own transaction (PULL_WORK_MEM).
 */
export function overContactCap(p: SqlParams, cap: ContactCap | undefined, a: string): string {
  if (!cap) return 'false';
  return `(${a}.id IN (SELECT a.customer_id FROM call_attempts a
             WHERE a.customer_id IS NOT NULL AND a.started_at > now() - make_interval(days => ${p.add(cap.days, 'int')})
               AND ${COUNTED_CONTACT}
             GROUP BY a.customer_id HAVING count(*) >= ${p.add(cap.maxCalls, 'int')}))`;
}

/** Room for the hashed exclusion sets of a pull (over-cap customers, DNC register, suppression lists): ~1M ids each. */
export const PULL_WORK_MEM = '128MB';

/** In the segment and past every exclusion that depends on the customer alone. */
export function eligible(criteria: ListCriteria, p: SqlParams, a = 'c'): string {
  return [
    segmentWhere(criteria.segment, p, a),
    validNumber(a),
    `${a}.erased_at IS NULL`,
    `NOT ${onDnc(a)}`,
    `NOT ${ownsOffer(p, criteria.offerCode, a)}`,
    `NOT ${overContactCap(p, criteria.contactCap, a)}`,
    ...(criteria.campaignId ? [`NOT (${a}.msisdn IN (${suppressedNumbers(p.add(criteria.campaignId, 'text'))}))`] : []),
  ].join(' AND ');
}
