import { describe, expect, it } from 'vitest';
import {
  applyBudget, budgetRowReason, nextOpenMonth, payoutYuan, splitProRata, toCents, type ScopeCredits,
} from '../../domain/sales-points/reconciliation';

describe('splitProRata', () => {
  it('splits in proportion, whole cents, adding up to the total exactly', () => {
    expect(splitProRata(1000, [1000, 1000, 1000])).toEqual([334, 333, 333]);
    expect(splitProRata(1, [1, 1, 1])).toEqual([1, 0, 0]);
    expect(splitProRata(999, [1, 2])).toEqual([333, 666]);
    for (const [total, weights] of [[12345, [7, 13, 29, 51]], [1, [5000, 5000]], [98765, [1, 1, 1, 1, 1, 1, 1]]] as const) {
      const parts = splitProRata(total, weights);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
      parts.forEach((p, i) => expect(Math.abs(p - (total * weights[i]!) / weights.reduce((a, b) => a + b, 0))).toBeLessThan(1));
    }
  });
  it('gives the cents lost to rounding to the largest fractions, ties to the earlier', () => {
    expect(splitProRata(10, [3, 3, 4])).toEqual([3, 3, 4]);
    expect(splitProRata(2, [1, 1, 1])).toEqual([1, 1, 0]);
  });
  it('refuses to split something by nothing', () => {
    expect(splitProRata(0, [0, 0])).toEqual([0, 0]);
    expect(() => splitProRata(5, [0, 0])).toThrow(/nothing to split by/);
  });
});

describe('applyBudget', () => {
  const scope = (policy: ScopeCredits['policy'], budget = 2000): ScopeCredits => ({
    scopeKind: 'area', scopeCode: 'a1', budget, policy, staff: [{ staffId: 'b', credits: 1000 }, { staffId: 'a', credits: 2000 }],
  });
  it('does nothing within the budget', () => {
    expect(applyBudget(scope('pro-rate', 3000), '2026-11', false)).toBeUndefined();
  });
  it('pay-and-flag: no rows, over by the difference', () => {
    const r = applyBudget(scope('pay-and-flag'), '2026-11', false)!;
    expect(r.rows).toEqual([]);
    expect(r.over).toMatchObject({ budget: 20, credits: 30, overBy: 10, cut: 0, carried: 0 });
    expect(r.over.note).toMatch(/over by 10; paid in full/);
  });
  it('pro-rate: a cut per staff member in proportion, the cuts summing to the overrun', () => {
    const r = applyBudget(scope('pro-rate'), '2026-11', false)!;
    expect(r.rows).toEqual([
      { staffId: 'a', kind: 'budget-cut', cents: -667, month: '2026-11' },
      { staffId: 'b', kind: 'budget-cut', cents: -333, month: '2026-11' },
    ]);
    expect(r.over.cut).toBe(10);
    expect(budgetRowReason(r.rows[0]!, r.over, '2026-11')).toMatch(/6.67 points cut \(pro-rate, factor 0.6667\)/);
  });
  it('carry-over: carried out of this month and into the next, the same amounts', () => {
    const r = applyBudget(scope('carry-over'), '2026-12', false)!;
    expect(r.rows).toEqual([
      { staffId: 'a', kind: 'carried-over', cents: -667, month: '2026-12' },
      { staffId: 'a', kind: 'carried-in', cents: 667, month: '2027-01' },
      { staffId: 'b', kind: 'carried-over', cents: -333, month: '2026-12' },
      { staffId: 'b', kind: 'carried-in', cents: 333, month: '2027-01' },
    ]);
    expect(r.over.carried).toBe(10);
  });
  it('carry-over into a closed month: paid in full this month, and said so', () => {
    const r = applyBudget(scope('carry-over'), '2026-11', true)!;
    expect(r.rows).toEqual([]);
    expect(r.over.note).toMatch(/2026-12 is closed, so paid in full/);
  });
});

describe('months and money', () => {
  it('the next open month skips closed ones', () => {
    expect(nextOpenMonth('2026-11', new Set())).toBe('2026-12');
    expect(nextOpenMonth('2026-11', new Set(['2026-12', '2027-01']))).toBe('2027-02');
  });
  it('pays points times the rate, nothing for a total of zero or less', () => {
    expect(payoutYuan(123.45, 1)).toBe(123.45);
    expect(payoutYuan(10.01, 0.5)).toBe(5.01);
    expect(payoutYuan(0, 1)).toBe(0);
    expect(payoutYuan(-4, 1)).toBe(0);
    expect(toCents('12.34')).toBe(1234);
  });
});
