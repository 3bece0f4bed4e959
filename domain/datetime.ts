import { z } from 'zod';

/**
 * Times and days as every input of the system takes them. zod's `z.iso.datetime({ offset: true })`
 * lets through what Postgres refuses (year 0000, UTC offsets past ±15:59; JavaScript takes both),
 * which made a report of 2026-12-01T10:00:00+20:00 a 500. These take only what Postgres and
 * JavaScript both read, and their pattern says so in the OpenAPI document.
 */

/** Years 0001-9999 (no year 0: Postgres has none), leap days in leap years only. */
const YEAR = '(?:000[1-9]|00[1-9]\\d|0[1-9]\\d\\d|[1-9]\\d{3})';
const LEAP_YEAR = '(?:\\d\\d(?:[2468][048]|[13579][26]|0[48])|(?:[2468][048]|[13579][26]|0[48])00)';
const MONTH_DAY = '(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8]))';
const DATE = `(?:${LEAP_YEAR}-02-29|${YEAR}-${MONTH_DAY})`;
/** Z, or an offset within ±15:59 (Postgres's limit). */
const OFFSET = '(?:Z|[+-](?:0\\d|1[0-5]):[0-5]\\d)';
const TIME = `(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{1,9})?${OFFSET}`;

export const ISO_DATETIME_PATTERN = new RegExp(`^${DATE}T${TIME}$`);

/** An instant with its offset, e.g. 2026-12-01T09:00:00+08:00 or …Z. */
export const IsoDateTimeSchema = z.string()
  .regex(ISO_DATETIME_PATTERN, 'an ISO date-time with its offset (Z or ±hh:mm up to ±15:59), e.g. 2026-12-01T09:00:00+08:00')
  .meta({ format: 'date-time' });

/** A calendar day, YYYY-MM-DD (years 0001-9999, as Postgres's `date` takes them). */
export const IsoDateSchema = z.string()
  .regex(new RegExp(`^${DATE}$`), 'a day YYYY-MM-DD, e.g. 2026-12-01')
  .meta({ format: 'date' });
