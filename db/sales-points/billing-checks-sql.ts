/**
 * What makes a line of billing's list good, as SQL over the staging table's text columns (COPY
 * puts each field there as it came): one statement keeps the good lines while it writes them to
 * billing_lines, and only when some were not does a second pass say which and why.
 *
 * Fast on millions of lines, and never failing on a bad field: no cast (a failed one aborts the
 * statement; an exception block per row costs a subtransaction each) and no regular expression
 * (Postgres's took 4 µs a match here: 4 s a million lines). A day is looked up in the calendar
 * (`billing_days`, every day of 1900-2099 as its text and its date) by a hash join: a text that
 * finds no day is not one, and the one that does comes typed. Digits are checked with ltrim.
 * docs/benchmarks.md has the figures.
 */

/** The calendar the days are looked up in, made once per import (73,049 rows, a few ms). */
export const CREATE_DAYS = `
  CREATE TEMP TABLE billing_days ON COMMIT DROP AS
  SELECT to_char(d, 'YYYY-MM-DD') AS s, d::date AS d FROM generate_series('1900-01-01'::date, '2099-12-31'::date, '1 day') d`;

/** The staging table's lines with their days looked up (a.d, c.d: NULL when not a day). */
const LOOKED_UP = `
  FROM billing_staging s
  LEFT JOIN billing_days a ON a.s = s.activated_on
  LEFT JOIN billing_days c ON c.s = s.cancelled_on`;

const MSISDN_OK = `(octet_length(s.msisdn) BETWEEN 5 AND 20 AND ltrim(s.msisdn, '0123456789') = '')`;
const SERVICE_OK = `(s.service_code <> '' AND length(s.service_code) <= 100)`;
const NOT_CANCELLED = `(s.cancelled_on IS NULL OR s.cancelled_on = '')`;
const CANCELLED_OK = `(${NOT_CANCELLED} OR c.d IS NOT NULL)`;
const USED_OK = `s.used IN ('true', 'false', '1', '0', 'TRUE', 'FALSE', 'True', 'False')`;
const USED = `s.used IN ('true', '1', 'TRUE', 'True')`;

/** $1 the month's first day, $2 its last: activated by its end, not cancelled before its start nor before activation. */
const FITS_MONTH = `a.d <= $2::date AND (c.d IS NULL OR (c.d >= a.d AND c.d >= $1::date))`;

/** The good lines, typed, into billing_lines under the import ($3). */
export const INSERT_GOOD_LINES = `
  INSERT INTO billing_lines (import_id, msisdn, service_code, activated_on, cancelled_on, used)
  SELECT $3, s.msisdn, s.service_code, a.d, c.d, ${USED}
  ${LOOKED_UP.replace('LEFT JOIN billing_days a', 'JOIN billing_days a')} -- a good line's activated_on is a day: an inner join says so
   WHERE ${MSISDN_OK} AND ${SERVICE_OK} AND ${CANCELLED_OK} AND ${USED_OK} AND ${FITS_MONTH}`;

/**
 * Every fault of the first bad lines, by line and field ($3: how many to list). A line's number is
 * its place in the staging table, which COPY filled in the file's order (a fresh table: its rows
 * lie in the order they were written), after the header's line 1.
 */
export const BAD_LINES = `
  SELECT x.line::int AS line, e.field, e.message
    FROM (SELECT s.*, a.d AS on_day, c.d AS off_day, ${MSISDN_OK} AS msisdn_ok, ${SERVICE_OK} AS service_ok,
                 ${CANCELLED_OK} AS cancelled_ok, coalesce(${USED_OK}, false) AS used_ok,
                 row_number() OVER (ORDER BY s.ctid) + 1 AS line
          ${LOOKED_UP}) x
   CROSS JOIN LATERAL (VALUES
     (1, 'msisdn', CASE WHEN NOT coalesce(x.msisdn_ok, false) THEN '5 to 20 digits' END),
     (2, 'service_code', CASE WHEN NOT coalesce(x.service_ok, false) THEN 'required, at most 100 characters' END),
     (3, 'activated_on', CASE WHEN x.on_day IS NULL THEN 'a day YYYY-MM-DD of the calendar (1900-2099)' END),
     (4, 'cancelled_on', CASE WHEN NOT x.cancelled_ok THEN 'a day YYYY-MM-DD of the calendar (1900-2099), or empty while active' END),
     (5, 'used', CASE WHEN NOT x.used_ok THEN 'true, false, 1 or 0' END),
     (6, 'activated_on', CASE WHEN x.on_day > $2::date THEN 'after the month''s last day' END),
     (7, 'cancelled_on', CASE WHEN x.off_day < x.on_day THEN 'before activated_on' END),
     (8, 'cancelled_on', CASE WHEN x.off_day < $1::date THEN 'before the month''s first day' END)
   ) AS e(n, field, message)
   WHERE e.message IS NOT NULL
   ORDER BY x.line, e.n
   LIMIT $3`;
