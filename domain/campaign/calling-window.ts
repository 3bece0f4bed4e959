import { z } from 'zod';
import { IsoDateSchema } from '../datetime';
import { rule } from '../rule';
import { minutesOf, type CallingWindow } from './window-time';

export { DEFAULT_WINDOW, isOpen, localTime, minutesOf, nextOpening, zonedInstant, type CallingWindow } from './window-time';

/**
 * When a lead may be called, in the lead's own local time (its region's time zone): a daily window,
 * the days of the week, and holidays. Pure arithmetic over IANA zones with Intl, DST included
 * (window-time.ts); Postgres applies the same rule when it claims leads (activities/campaign/leads.ts).
 */
const HHMM = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

export const CallingWindowSchema = z
  .strictObject({
    /** Local time the window opens, HH:MM. */
    start: z.string().regex(HHMM, 'HH:MM, 00:00 to 24:00'),
    /** Local time it closes (exclusive), HH:MM; 24:00 is midnight at the end of the day. */
    end: z.string().regex(HHMM, 'HH:MM, 00:00 to 24:00'),
    /** ISO weekdays: 1 = Monday … 7 = Sunday. */
    days: z.array(z.number().int().min(1).max(7)).min(1).max(7).default([1, 2, 3, 4, 5, 6, 7]),
    /** Local dates with no calls (public holidays), YYYY-MM-DD. */
    holidays: z.array(IsoDateSchema).max(400).default([]),
  })
  .refine((w) => minutesOf(w.end) > minutesOf(w.start), rule('must be later than start', ['end']));

/** The schema gives the arithmetic's window (window-time.ts, zod-free for the order workflow): this fails to compile if they drift apart. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const WINDOW_SHAPES_AGREE: Same<z.output<typeof CallingWindowSchema>, CallingWindow> = true;
