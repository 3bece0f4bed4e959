import { describe, expect, it } from 'vitest';
import { approvalEscalation, budgetAlertSubject, describeTotals, groupDigits, monthHasEnded } from '../../domain/sales-points/run';

describe("the month-end run's rules", () => {
  it('runs a month once it has ended in the operator\'s zone', () => {
    // 2026-12-01 01:00 in Shanghai is still 2026-11-30 in UTC.
    const at = new Date('2026-11-30T17:00:00Z');
    expect(monthHasEnded('2026-11', at, 'Asia/Shanghai')).toBe(true);
    expect(monthHasEnded('2026-11', at, 'UTC')).toBe(false);
    expect(monthHasEnded('2026-12', at, 'Asia/Shanghai')).toBe(false);
    expect(monthHasEnded('2025-12', at, 'UTC')).toBe(true);
  });

  it('escalates after the settings\' time, then once a day, each escalation its own alert level', () => {
    expect(approvalEscalation(0, 259_200)).toEqual({ level: 'overdue', dueAfterSeconds: 259_200 });
    expect(approvalEscalation(1, 259_200)).toEqual({ level: 'overdue-day-2', dueAfterSeconds: 345_600 });
    expect(approvalEscalation(3, 60)).toEqual({ level: 'overdue-day-4', dueAfterSeconds: 60 + 3 * 86_400 });
  });

  it('writes totals and subjects a person reads', () => {
    expect(groupDigits(12345)).toBe('12,345');
    expect(groupDigits(1234567.5)).toBe('1,234,567.5');
    expect(groupDigits(-2)).toBe('-2');
    expect(describeTotals({ staff: 321, totalPoints: 12345 })).toBe('12,345 points for 321 staff');
    expect(budgetAlertSubject('2026-11', 'area', 'north')).toBe('2026-11/area/north');
  });
});
