import { describe, expect, it } from 'vitest';
import { RuleSchema, describeRule, type Rule } from '../../domain/campaign/segment';
import { SqlParams, compileRule, segmentWhere } from '../../db/campaign/segment-sql';

const retention: Rule = {
  all: [
    { factor: 'inNetwork', value: true },
    { any: [{ factor: 'contractEndsWithinDays', days: 60 }, { factor: 'spendChangePct', op: 'lte', value: -20 }] },
    { not: { factor: 'complaints90d', op: 'gte', value: 3 } },
  ],
};

describe('segment rules', () => {
  it('accepts factors combined with all / any / not and reads back in words', () => {
    expect(RuleSchema.parse(retention)).toEqual(retention);
    expect(describeRule(retention)).toBe(
      '(in-network and (contract ends within 60 days or spendChangePct ≤ -20) and not complaints90d ≥ 3)');
  });

  it('names the path of a bad factor', () => {
    const r = RuleSchema.safeParse({ all: [{ factor: 'tenureMonths', op: 'between', value: 3 }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path.join('.')).toMatch(/^all\.0/);
    expect(RuleSchema.safeParse({ factor: 'shoeSize', op: 'gt', value: 40 }).success).toBe(false);
    expect(RuleSchema.safeParse({ all: [] }).success).toBe(false);
    expect(RuleSchema.safeParse({ factor: 'plan', in: ['x'], extra: 1 }).success).toBe(false);
  });

  it('refuses rules nested too deep', () => {
    let deep: Rule = { factor: 'inNetwork', value: true };
    for (let i = 0; i < 8; i++) deep = { not: deep };
    const r = RuleSchema.safeParse(deep);
    expect(r.success).toBe(false);
    expect(r.error!.issues.some((i) => /nested/.test(i.message))).toBe(true);
  });

  it('compiles to parameterised SQL: values are bound, never spliced', () => {
    const evil = "gz'; DROP TABLE customers; --";
    const p = new SqlParams(['campaign']);
    const sql = compileRule({ all: [{ factor: 'city', in: [evil] }, { factor: 'arrears', op: 'gt', value: 100 }] }, p);
    expect(sql).toBe('((c.city = ANY($2::text[])) AND (c.arrears > $3::numeric))');
    expect(sql).not.toContain('DROP');
    expect(p.values).toEqual(['campaign', [evil], 100]);
  });

  it('combines the shortcut fields with the rule', () => {
    const p = new SqlParams();
    expect(segmentWhere({}, p)).toBe('true');
    const where = segmentWhere({ regions: ['gd'], inNetwork: true, rule: { not: { factor: 'ownsService', code: 'vas-video' } } }, p);
    expect(where).toBe('c.region = ANY($1::text[]) AND c.in_network = $2::boolean AND (NOT (c.services @> ARRAY[$3::text]))');
  });
});
