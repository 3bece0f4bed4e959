import { describe, expect, it } from 'vitest';
import { bandRefusal, isCalendarDay, retiredOn, termInForce } from '../../domain/sales-points/catalogue';
import { dayAt } from '../../domain/sales-points/month';

const terms = [
  { effectiveFrom: '2026-03-01', points: 15 },
  { effectiveFrom: '2026-01-01', points: 12 },
  { effectiveFrom: '2026-06-15', points: 18 },
];
const band = { low: 0.2, high: 0.3 };

describe('the service catalogue', () => {
  it('finds the term in force on a day: the latest effective on or before it, none before the first', () => {
    expect(termInForce(terms, '2025-12-31')).toBeUndefined();
    expect(termInForce(terms, '2026-01-01')?.points).toBe(12);
    expect(termInForce(terms, '2026-02-28')?.points).toBe(12);
    expect(termInForce(terms, '2026-03-01')?.points).toBe(15);
    expect(termInForce(terms, '2026-06-14')?.points).toBe(15);
    expect(termInForce(terms, '2026-06-15')?.points).toBe(18);
    expect(termInForce(terms, '2030-01-01')?.points).toBe(18);
    expect(termInForce([], '2026-01-01')).toBeUndefined();
  });

  it('keeps points to the band of the tariff, its ends included, in cents', () => {
    expect(bandRefusal(11.6, 58, band)).toBeUndefined(); // 20% of 58, though 0.2 × 58 is 11.600000000000001
    expect(bandRefusal(17.4, 58, band)).toBeUndefined(); // 30%
    expect(bandRefusal(15, 58, band)).toBeUndefined();
    expect(bandRefusal(11.59, 58, band)).toMatch(/below the band of 20%-30% of the tariff 58 \(11\.60-17\.40\)/);
    expect(bandRefusal(17.41, 58, band)).toMatch(/above/);
    expect(bandRefusal(0, 0, band)).toBeUndefined();
    expect(bandRefusal(1, 0, band)).toMatch(/above/);
    expect(bandRefusal(5, 10, { low: 0.5, high: 0.5 })).toBeUndefined();
  });

  it('retires a service from its day on', () => {
    expect(retiredOn(null, '2026-01-01')).toBe(false);
    expect(retiredOn('2026-05-01', '2026-04-30')).toBe(false);
    expect(retiredOn('2026-05-01', '2026-05-01')).toBe(true);
    expect(retiredOn('2026-05-01', '2026-06-01')).toBe(true);
  });

  it('tells the day of an instant in the operator\'s time zone, and real days from impossible ones', () => {
    expect(dayAt(new Date('2026-03-31T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-04-01');
    expect(dayAt(new Date('2026-03-31T15:59:59Z'), 'Asia/Shanghai')).toBe('2026-03-31');
    expect(dayAt(new Date('2026-03-31T16:30:00Z'), 'UTC')).toBe('2026-03-31');
    expect(isCalendarDay('2028-02-29')).toBe(true);
    expect(isCalendarDay('2026-02-29')).toBe(false);
    expect(isCalendarDay('2026-13-01')).toBe(false);
  });
});
