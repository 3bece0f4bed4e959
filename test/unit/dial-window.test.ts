import { describe, expect, it } from 'vitest';
import type { CallingWindow } from '../../domain/campaign/window-time';
import { DIAL_MARGIN_SECONDS, nextDialingOpening, openForDialing } from '../../domain/compliance/dial-window';

const window: CallingWindow = { start: '08:00', end: '21:00', days: [1, 2, 3, 4, 5, 6, 7], holidays: [] };
const zone = 'Asia/Shanghai'; // UTC+8, no DST

describe('the dial margin at the window edge', () => {
  it('a call may start while the window stays open for the margin after the check', () => {
    expect(DIAL_MARGIN_SECONDS).toBeGreaterThan(10); // longer than the dialer's request may take
    expect(openForDialing(window, zone, new Date('2026-12-01T12:59:00Z'))).toBe(true); // 20:59:00
    expect(openForDialing(window, zone, new Date('2026-12-01T12:59:31Z'))).toBe(false); // closes in 29 s
    expect(openForDialing(window, zone, new Date('2026-12-01T12:59:59.900Z'))).toBe(false);
    expect(openForDialing(window, zone, new Date('2026-11-30T23:59:59Z'))).toBe(false); // 07:59:59, not open yet
  });

  it('a window open round the clock has no edge to keep from', () => {
    const always: CallingWindow = { start: '00:00', end: '24:00', days: [1, 2, 3, 4, 5, 6, 7], holidays: [] };
    expect(openForDialing(always, zone, new Date('2026-12-01T15:59:50Z'))).toBe(true); // 23:59:50
  });
});

describe('the next opening a follow-up waits for', () => {
  it('is now when a call may start now', () => {
    const now = new Date('2026-12-01T04:00:00Z'); // 12:00
    expect(nextDialingOpening(window, zone, now)).toEqual(now);
  });

  it('is the next local start of the window when it is closed, in the customer\'s zone', () => {
    expect(nextDialingOpening(window, zone, new Date('2026-12-01T14:00:00Z'))).toEqual(new Date('2026-12-02T00:00:00Z')); // 22:00 → 08:00
    expect(nextDialingOpening(window, 'Europe/London', new Date('2026-12-01T22:00:00Z'))).toEqual(new Date('2026-12-02T08:00:00Z'));
  });

  it('skips the last moments before a close, and days the window is shut', () => {
    // 20:59:45 on a Tuesday: too close to 21:00; Wednesday is a holiday and Thursday is not a calling day
    const w: CallingWindow = { ...window, days: [1, 2, 5], holidays: ['2026-12-02'] };
    expect(nextDialingOpening(w, zone, new Date('2026-12-01T12:59:45Z'))).toEqual(new Date('2026-12-04T00:00:00Z')); // Friday 08:00
  });

  it('is undefined when the window never opens', () => {
    const never: CallingWindow = { ...window, days: [1], holidays: Array.from({ length: 60 }, (_, i) => new Date(Date.UTC(2026, 11, 7 + 7 * i)).toISOString().slice(0, 10)) };
    expect(nextDialingOpening(never, zone, new Date('2026-12-01T04:00:00Z'))).toBeUndefined();
  });
});
