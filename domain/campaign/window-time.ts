/**
 * The calling window's arithmetic, zod-free so the order workflow can use it (its bundle evaluates
 * no zod: test/unit/workflow-imports.test.ts): local time in an IANA zone with Intl, DST included,
 * whether a window is open, and its next opening. The schema is in calling-window.ts.
 */

/** When a lead may be called, in its local time: the shape CallingWindowSchema gives (calling-window.ts). */
export type CallingWindow = {
  /** Local time the window opens, HH:MM. */
  start: string;
  /** Local time it closes (exclusive), HH:MM; 24:00 is midnight at the end of the day. */
  end: string;
  /** ISO weekdays: 1 = Monday … 7 = Sunday. */
  days: number[];
  /** Local dates with no calls (public holidays), YYYY-MM-DD. */
  holidays: string[];
};

/** 08:00–21:00 every day: no marketing calls at night. */
export const DEFAULT_WINDOW: CallingWindow = { start: '08:00', end: '21:00', days: [1, 2, 3, 4, 5, 6, 7], holidays: [] };

export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

interface LocalTime {
  date: string; // YYYY-MM-DD
  isoDay: number;
  minutes: number; // since local midnight
  offsetMs: number; // local minus UTC
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export function localTime(at: Date, timeZone: string): LocalTime {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(at).map((p) => [p.type, p.value]));
  const [y, mo, d, h, mi, s] = ['year', 'month', 'day', 'hour', 'minute', 'second'].map((k) => Number(parts[k]));
  const wall = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    isoDay: WEEKDAYS[parts.weekday!]!,
    minutes: h! * 60 + mi!,
    offsetMs: wall - Math.floor(at.getTime() / 1000) * 1000,
  };
}

export function isOpen(window: CallingWindow, timeZone: string, at: Date): boolean {
  const t = localTime(at, timeZone);
  return window.days.includes(t.isoDay) && !window.holidays.includes(t.date)
    && t.minutes >= minutesOf(window.start) && t.minutes < minutesOf(window.end);
}

/**
 * The UTC instant of a local wall-clock time. A time that occurs twice (clocks going back) is its
 * first occurrence; a time skipped by clocks going forward is moved forward by the gap (02:30 on
 * the spring-forward night is 03:30), as java.time and the TC39 Temporal API do.
 */
export function zonedInstant(date: string, minutes: number, timeZone: string): Date {
  const [y, mo, d] = date.split('-').map(Number);
  const wall = Date.UTC(y!, mo! - 1, d!, Math.floor(minutes / 60), minutes % 60);
  const before = localTime(new Date(wall - 86_400_000), timeZone).offsetMs;
  const after = localTime(new Date(wall + 86_400_000), timeZone).offsetMs;
  for (const offset of [before, after].sort((a, b) => b - a)) {
    const at = new Date(wall - offset);
    const back = localTime(at, timeZone);
    if (back.date === date && back.minutes === minutes) return at;
  }
  return new Date(wall - before);
}

function addDays(date: string, n: number): string {
  const [y, mo, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, mo! - 1, d! + n)).toISOString().slice(0, 10);
}

/**
 * The first instant at or after `from` when the window is open in that zone, or undefined when it
 * never opens within a year (every day a holiday, say).
 */
export function nextOpening(window: CallingWindow, timeZone: string, from: Date): Date | undefined {
  if (isOpen(window, timeZone, from)) return from;
  const today = localTime(from, timeZone).date;
  for (let n = 0; n <= 370; n++) {
    const date = addDays(today, n);
    const at = zonedInstant(date, minutesOf(window.start), timeZone);
    if (at.getTime() < from.getTime()) continue;
    if (isOpen(window, timeZone, at)) return at;
  }
  return undefined;
}
