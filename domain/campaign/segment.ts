import { z } from 'zod';
import { text } from '../text';
import { rule } from '../rule';

/**
 * Segment rules as data (seed 001: configurable factors): a marketer combines factors with
 * all / any / not. The rule is validated here and compiled to parameterised SQL in db/campaign/segment-sql.ts;
 * no value a user gives is ever spliced into SQL text.
 */
export const COMPARISONS = ['lt', 'lte', 'gt', 'gte', 'eq'] as const;
export type Comparison = (typeof COMPARISONS)[number];

const codes = z.array(text(1, 60)).min(1).max(100);
const compare = <T extends z.ZodTypeAny>(value: T) => ({ op: z.enum(COMPARISONS), value });

/** The factors a rule may test, each against one fact of the customer base. */
export const FactorSchema = z.discriminatedUnion('factor', [
  /** The contract ends within the next N days (retention). */
  z.strictObject({ factor: z.literal('contractEndsWithinDays'), days: z.number().int().min(0).max(3650) }),
  /** Month-over-month spend change in percent, e.g. { op: 'lte', value: -20 } = spend fell by 20% or more. */
  z.strictObject({ factor: z.literal('spendChangePct'), ...compare(z.number().min(-100).max(10_000)) }),
  z.strictObject({ factor: z.literal('monthlySpend'), ...compare(z.number().min(0).max(1_000_000)) }),
  z.strictObject({ factor: z.literal('tenureMonths'), ...compare(z.number().int().min(0).max(1200)) }),
  /** Complaints in the last 90 days. */
  z.strictObject({ factor: z.literal('complaints90d'), ...compare(z.number().int().min(0).max(1000)) }),
  /** Amount in arrears (yuan). */
  z.strictObject({ factor: z.literal('arrears'), ...compare(z.number().min(0).max(1_000_000)) }),
  z.strictObject({ factor: z.literal('plan'), in: codes }),
  z.strictObject({ factor: z.literal('region'), in: codes }),
  z.strictObject({ factor: z.literal('city'), in: codes }),
  /** Already owns a service (an offer code), e.g. to upsell owners of one product to another. */
  z.strictObject({ factor: z.literal('ownsService'), code: text(1, 60) }),
  /** In-network customer (upsell, retention) or prospect (acquisition). */
  z.strictObject({ factor: z.literal('inNetwork'), value: z.boolean() }),
]);
export type Factor = z.infer<typeof FactorSchema>;

export type Rule = Factor | { all: Rule[] } | { any: Rule[] } | { not: Rule };

export const MAX_RULE_DEPTH = 6;
export const MAX_RULE_FACTORS = 50;

const AllSchema = z.strictObject({ all: z.array(z.lazy(() => RuleSchema)).min(1).max(MAX_RULE_FACTORS) });
const AnySchema = z.strictObject({ any: z.array(z.lazy(() => RuleSchema)).min(1).max(MAX_RULE_FACTORS) });
const NotSchema = z.strictObject({ not: z.lazy(() => RuleSchema) });

/**
 * A node is read by its key (all / any / not, else a factor), so a mistake is reported at its own
 * path (`all.1.op`) instead of as "matches none of the alternatives" at the top.
 */
const NodeSchema: z.ZodType<Rule> = z.unknown().transform((value, ctx) => {
  const has = (key: string) => typeof value === 'object' && value !== null && key in value;
  const schema = has('all') ? AllSchema : has('any') ? AnySchema : has('not') ? NotSchema : FactorSchema;
  const parsed = (schema as z.ZodType<Rule>).safeParse(value);
  if (parsed.success) return parsed.data;
  // A rule broken deeper down stays a rule (its params say so: domain/rule.ts).
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path, ...(issue.code === 'custom' ? { params: issue.params } : {}) });
  return z.NEVER;
}) as unknown as z.ZodType<Rule>;

export const RuleSchema: z.ZodType<Rule> = NodeSchema.superRefine((node, ctx) => {
  const { depth, factors } = measure(node);
  if (depth > MAX_RULE_DEPTH) ctx.addIssue({ code: 'custom', ...rule(`rule is nested ${depth} deep; at most ${MAX_RULE_DEPTH}`) });
  if (factors > MAX_RULE_FACTORS) ctx.addIssue({ code: 'custom', ...rule(`rule has ${factors} factors; at most ${MAX_RULE_FACTORS}`) });
}) as z.ZodType<Rule>;

export function measure(rule: Rule): { depth: number; factors: number } {
  if ('all' in rule || 'any' in rule) {
    const parts = ('all' in rule ? rule.all : rule.any).map(measure);
    return { depth: 1 + Math.max(0, ...parts.map((p) => p.depth)), factors: parts.reduce((n, p) => n + p.factors, 0) };
  }
  if ('not' in rule) {
    const inner = measure(rule.not);
    return { depth: 1 + inner.depth, factors: inner.factors };
  }
  return { depth: 1, factors: 1 };
}

/** A rule in words, for the Temporal UI and the preview answer. */
export function describeRule(rule: Rule): string {
  if ('all' in rule) return rule.all.length === 1 ? describeRule(rule.all[0]!) : `(${rule.all.map(describeRule).join(' and ')})`;
  if ('any' in rule) return rule.any.length === 1 ? describeRule(rule.any[0]!) : `(${rule.any.map(describeRule).join(' or ')})`;
  if ('not' in rule) return `not ${describeRule(rule.not)}`;
  const ops: Record<Comparison, string> = { lt: '<', lte: '≤', gt: '>', gte: '≥', eq: '=' };
  switch (rule.factor) {
    case 'contractEndsWithinDays': return `contract ends within ${rule.days} days`;
    case 'plan': case 'region': case 'city': return `${rule.factor} in ${rule.in.join(', ')}`;
    case 'ownsService': return `owns ${rule.code}`;
    case 'inNetwork': return rule.value ? 'in-network' : 'prospect';
    default: return `${rule.factor} ${ops[rule.op]} ${rule.value}`;
  }
}
