import { describe, expect, it } from 'vitest';
import {
  addSalesCounts, emptySalesCounts, rankStandings, salesRates, standingScore, withPrizes,
} from '../../domain/reports/sales-points';
import { addMonths, dayAt, monthAt, monthEndedBefore, monthLastDay } from '../../domain/sales-points/month';

describe('sales-points figures', () => {
  it('rates come from the sums; none without a denominator', () => {
    expect(salesRates({ ...emptySalesCounts(), reconciled: 4, matched: 3, earnedPoints: 31.5 })).toEqual({ matchRate: 0.75, pointsPerMatchedSale: 10.5 });
    expect(salesRates(emptySalesCounts())).toEqual({ matchRate: null, pointsPerMatchedSale: null });
  });

  it('points add up in cents, exactly', () => {
    const sum = emptySalesCounts();
    for (let i = 0; i < 10; i++) addSalesCounts(sum, { ...emptySalesCounts(), totalPoints: 0.1 });
    expect(sum.totalPoints).toBe(1);
  });

  it('ranks highest first, equal scores sharing a rank, then by staff id', () => {
    expect(rankStandings([{ staffId: 'b', score: 5 }, { staffId: 'a', score: 9 }, { staffId: 'd', score: 5 }, { staffId: 'c', score: 1 }]))
      .toEqual([{ rank: 1, staffId: 'a', score: 9 }, { rank: 2, staffId: 'b', score: 5 }, { rank: 2, staffId: 'd', score: 5 }, { rank: 4, staffId: 'c', score: 1 }]);
    expect(rankStandings([])).toEqual([]);
  });

  it('tied staff share their rank\'s prize; a rank with no prize has none', () => {
    const standings = rankStandings([{ staffId: 'a', score: 3 }, { staffId: 'b', score: 3 }, { staffId: 'c', score: 1 }]);
    expect(withPrizes(standings, [{ rank: 1, prize: 'phone' }, { rank: 2, prize: 'voucher' }]).map((s) => s.prize)).toEqual(['phone', 'phone', null]);
  });

  it('scores a metric', () => {
    const s = { staffId: 'a', sales: 4, matched: 3, points: 12.345 };
    expect([standingScore('sales', s), standingScore('matched-sales', s), standingScore('points', s)]).toEqual([4, 3, 12.35]);
  });
});

describe('sales-points months', () => {
  it('are calendar months in the operator\'s zone', () => {
    // 16:30 UTC on 31 October is already 1 November in Shanghai.
    expect(monthAt(new Date('2026-10-31T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-11');
    expect(monthAt(new Date('2026-10-31T16:30:00Z'), 'UTC')).toBe('2026-10');
    expect(dayAt(new Date('2026-10-31T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-11-01');
    expect(monthEndedBefore(new Date('2026-11-30T18:00:00Z'), 'Asia/Shanghai')).toBe('2026-11');
  });

  it('add across years; know their last day', () => {
    expect(addMonths('2026-11', 2)).toBe('2027-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-03', -15)).toBe('2024-12');
    expect(monthLastDay('2024-02')).toBe('2024-02-29');
    expect(monthLastDay('2026-12')).toBe('2026-12-31');
  });
});
