import { describe, expect, it } from 'vitest';
import { CallingWindowSchema, isOpen, localTime, nextOpening, zonedInstant } from '../../domain/campaign/calling-window';

const w = CallingWindowSchema.parse({ start: '09:00', end: '21:00', days: [1, 2, 3, 4, 5], holidays: ['2026-10-01'] });
const at = (iso: string) => new Date(iso);

describe('calling window in the lead’s local time', () => {
  it('is open inside the hours on a working day, in the lead’s zone', () => {
    // 2026-11-23 is a Monday. 01:30 UTC = 09:30 in Shanghai, 07:30 in Urumqi (UTC+6).
    expect(isOpen(w, 'Asia/Shanghai', at('2026-11-23T01:30:00Z'))).toBe(true);
    expect(isOpen(w, 'Asia/Urumqi', at('2026-11-23T01:30:00Z'))).toBe(false);
    expect(isOpen(w, 'Asia/Shanghai', at('2026-11-23T13:00:00Z'))).toBe(false); // 21:00 closes
    expect(isOpen(w, 'Asia/Shanghai', at('2026-11-22T03:00:00Z'))).toBe(false); // Sunday
    expect(isOpen(w, 'Asia/Shanghai', at('2026-10-01T03:00:00Z'))).toBe(false); // holiday
  });

  it('finds the next opening: later today, tomorrow, or after the weekend and holidays', () => {
    expect(nextOpening(w, 'Asia/Shanghai', at('2026-11-23T00:00:00Z'))).toEqual(at('2026-11-23T01:00:00Z'));
    expect(nextOpening(w, 'Asia/Shanghai', at('2026-11-23T14:00:00Z'))).toEqual(at('2026-11-24T01:00:00Z'));
    expect(nextOpening(w, 'Asia/Shanghai', at('2026-11-21T05:00:00Z'))).toEqual(at('2026-11-23T01:00:00Z')); // Sat → Mon
    expect(nextOpening(w, 'Asia/Shanghai', at('2026-09-30T14:00:00Z'))).toEqual(at('2026-10-02T01:00:00Z'));
    const now = at('2026-11-23T05:00:00Z');
    expect(nextOpening(w, 'Asia/Shanghai', now)).toBe(now);
    expect(nextOpening(w, 'Asia/Urumqi', at('2026-11-23T00:00:00Z'))).toEqual(at('2026-11-23T03:00:00Z'));
  });

  it('keeps local hours across daylight-saving changes', () => {
    const early = CallingWindowSchema.parse({ start: '02:30', end: '21:00' });
    // New York springs forward on 2026-03-08 at 02:00: 02:30 does not exist, 03:30 EDT is next.
    expect(zonedInstant('2026-03-08', 150, 'America/New_York')).toEqual(at('2026-03-08T07:30:00Z'));
    expect(nextOpening(early, 'America/New_York', at('2026-03-08T06:00:00Z'))).toEqual(at('2026-03-08T07:30:00Z'));
    // 09:00 local is 14:00 UTC before the change and 13:00 UTC after it.
    expect(nextOpening(w, 'America/New_York', at('2026-03-06T12:00:00Z'))).toEqual(at('2026-03-06T14:00:00Z'));
    expect(nextOpening(w, 'America/New_York', at('2026-03-09T00:00:00Z'))).toEqual(at('2026-03-09T13:00:00Z'));
    // Falling back on 2026-11-01: 01:30 happens twice; the first one counts.
    expect(zonedInstant('2026-11-01', 90, 'America/New_York')).toEqual(at('2026-11-01T05:30:00Z'));
    expect(localTime(at('2026-11-01T06:30:00Z'), 'America/New_York').minutes).toBe(90);
  });

  it('never opens when every day is excluded, and validates its fields', () => {
    expect(nextOpening(CallingWindowSchema.parse({ start: '09:00', end: '10:00', days: [1] }), 'UTC', at('2026-11-24T00:00:00Z')))
      .toEqual(at('2026-11-30T09:00:00Z'));
    const bad = CallingWindowSchema.safeParse({ start: '21:00', end: '09:00' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['end']);
    expect(CallingWindowSchema.safeParse({ start: '9am', end: '21:00' }).success).toBe(false);
    expect(CallingWindowSchema.safeParse({ start: '08:00', end: '24:00', days: [0] }).success).toBe(false);
  });
});
