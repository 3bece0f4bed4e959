import { describe, expect, it } from 'vitest';
import {
  addHotlineCounts, emptyHotlineCounts, hotlineLine, hotlineRates, monthsOf, targetInForce, targetMet,
} from '../../domain/reports/hotline';

const counts = (over: Partial<ReturnType<typeof emptyHotlineCounts>>) => ({ ...emptyHotlineCounts(), ...over });

describe('the hotline report\'s figures', () => {
  it('judges the marketing share on the exact sums, not the rounded shares', () => {
    // 2 of 11 calls: 18.18 % shown, and met at 18 % (1.98 target calls) but not at 20 % (2.2).
    expect(targetMet(counts({ callsHandled: 11, marketingCalls: 2, targetCalls: 1.98 }))).toBe(true);
    expect(targetMet(counts({ callsHandled: 11, marketingCalls: 2, targetCalls: 2.2 }))).toBe(false);
    expect(targetMet(counts({ callsHandled: 10, marketingCalls: 2, targetCalls: 2 }))).toBe(true);
    expect(targetMet(counts({ recommendations: 3, presented: 2 }))).toBeNull();
    expect(hotlineRates(counts({ callsHandled: 11, marketingCalls: 2, targetCalls: 2.2 }))).toMatchObject({ marketingShare: 0.1818, targetShare: 0.2 });
  });

  it('adds groups up exactly, target calls to four decimals, channels included', () => {
    const a = counts({ callsHandled: 3, targetCalls: 0.54 });
    a.channels.app = { presented: 2, successes: 1 };
    const b = counts({ callsHandled: 7, targetCalls: 1.26 });
    b.channels.app = { presented: 1, successes: 1 };
    const sum = addHotlineCounts(addHotlineCounts(emptyHotlineCounts(), a), b);
    expect(sum.targetCalls).toBe(1.8);
    expect(sum.channels.app).toEqual({ presented: 3, successes: 2 });
    expect(hotlineLine({}, sum).channels.app.successRate).toBe(0.6667);
    expect(hotlineLine({}, sum).channels.web.successRate).toBeNull();
  });

  it('takes the target in force in a month, the first one before any', () => {
    const targets = [{ from: '2012-11', share: 0.2 }, { from: '2000-01', share: 0.18 }];
    expect(targetInForce(targets, '2012-10')?.share).toBe(0.18);
    expect(targetInForce(targets, '2012-11')?.share).toBe(0.2);
    expect(targetInForce(targets, '2030-01')?.share).toBe(0.2);
    expect(targetInForce([{ from: '2012-11', share: 0.2 }], '2001-05')?.share).toBe(0.2);
    expect(targetInForce([], '2012-11')).toBeUndefined();
  });

  it('lists the months of a period, across years and before year 1000', () => {
    expect(monthsOf('2012-11-15', '2013-02-01')).toEqual(['2012-11', '2012-12', '2013-01', '2013-02']);
    expect(monthsOf('0001-12-31', '0002-01-01')).toEqual(['0001-12', '0002-01']);
    expect(monthsOf('2012-10-01', '2012-10-31')).toEqual(['2012-10']);
  });
});
