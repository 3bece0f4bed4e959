import { z } from 'zod';

/**
 * Sales-points months: a calendar month in the operator's time zone (OPERATOR_TIME_ZONE), written
 * `YYYY-MM` in the API and as its first day (`YYYY-MM-01`, a Postgres date) in the tables.
 */

/** `YYYY-MM`, years 2000-2099 (what a sales-points month can sensibly be). */
export const MonthSchema = z.string()
  .regex(/^20\d\d-(0[1-9]|1[0-2])$/, 'a month YYYY-MM, e.g. 2026-11')
  .meta({ format: 'month', examples: ['2026-11'] });
export type Month = z.infer<typeof MonthSchema>;

/** The month's first day as Postgres takes it: 2026-11 → 2026-11-01. */
export const monthStart = (month: Month): string => `${month}-01`;

/** A Postgres date or a `YYYY-MM…` text back to the month: 2026-11-01 → 2026-11. */
export function monthOfDay(day: string | Date): Month {
  if (day instanceof Date) return `${day.getUTCFullYear()}-${String(day.getUTCMonth() + 1).padStart(2, '0')}`;
  return day.slice(0, 7);
}

/** The month `n` months after (before, when negative) this one. */
export function addMonths(month: Month, n: number): Month {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The month an instant falls in, in a time zone (e.g. Asia/Shanghai). */
export function monthAt(instant: Date, timeZone: string): Month {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(instant);
  const year = parts.find((p) => p.type === 'year')!.value;
  const month = parts.find((p) => p.type === 'month')!.value;
  return `${year}-${month}`;
}

/** The month that ended before the month of `instant`: what the 1st-of-month run reconciles. */
export const monthEndedBefore = (instant: Date, timeZone: string): Month => addMonths(monthAt(instant, timeZone), -1);

/** The last day of a month, YYYY-MM-DD. */
export function monthLastDay(month: Month): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

// A formatter per zone, and the day of the minute last asked about: making a formatter costs far
// more than using it, and using it some microseconds, which a sales file pays per line and every
// recommendation once. Every zone's offset since 1972 is whole minutes, so a minute of ours never spans two days.
const dayFormats = new Map<string, { format: Intl.DateTimeFormat; minute: number; day: string }>();

/** The calendar day (YYYY-MM-DD) an instant falls on in a time zone. */
export function dayAt(instant: Date, timeZone: string): string {
  let zone = dayFormats.get(timeZone);
  if (!zone) {
    zone = { format: new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }), minute: NaN, day: '' };
    dayFormats.set(timeZone, zone);
  }
  const minute = Math.floor(instant.getTime() / 60_000);
  if (minute !== zone.minute) {
    const parts = zone.format.formatToParts(instant);
    const get = (type: string) => parts.find((p) => p.type === type)!.value;
    zone.day = `${get('year')}-${get('month')}-${get('day')}`;
    zone.minute = minute;
  }
  return zone.day;
}
