/**
 * What makes a line of billing's list good, as SQL over the staging table's text columns (COPY
 * puts each field there as it came): one expression keeps the good lines while they are written
 * to billing_lines, and only when some were not does a second pass say which and why.
 *
 * Fast on millions of lines: no exception per row (a failed cast aborts the statement, and a
 * subtransaction per row costs too much), and no regular expression either (Postgres's took 4 µs a
 * match here, 4 s a million lines: docs/benchmarks.md). Digits are checked with ltrim, a day by
 * its parts and each month's length, and cast only once it is known good; CASE keeps that order
 * (the terms of a plain AND may be evaluated in any order).
 */

/** Only digits, and at least one (NULL stays NULL). */
const digits = (text: string) => `(${text} <> '' AND ltrim(${text}, '0123456789') = '')`;

/** A day YYYY-MM-DD of the calendar, years 1900-2099; false for NULL. */
export function dayOk(col: string): string {
  const y = `substr(${col}, 1, 4)::int`;
  const m = `substr(${col}, 6, 2)`;
  const d = `substr(${col}, 9, 2)::int`;
  return `coalesce(CASE WHEN length(${col}) = 10 AND substr(${col}, 5, 1) = '-' AND substr(${col}, 8, 1) = '-'
      AND ${digits(`substr(${col}, 1, 4) || ${m} || substr(${col}, 9, 2)`)}
    THEN ${y} BETWEEN 1900 AND 2099 AND ${m} BETWEEN '01' AND '12' AND ${d} BETWEEN 1 AND
      CASE ${m} WHEN '02' THEN CASE WHEN ${y} % 4 = 0 AND ${y} <> 1900 THEN 29 ELSE 28 END
               WHEN '04' THEN 30 WHEN '06' THEN 30 WHEN '09' THEN 30 WHEN '11' THEN 30 ELSE 31 END
    ELSE false END, false)`;
}

const MSISDN_OK = `coalesce(length(msisdn) BETWEEN 5 AND 20 AND ${digits('msisdn')}, false)`;
const SERVICE_OK = `coalesce(service_code <> '' AND length(service_code) <= 100, false)`;
const ACTIVATED_OK = dayOk('activated_on');
const CANCELLED_OK = `(cancelled_on IS NULL OR cancelled_on = '' OR ${dayOk('cancelled_on')})`;
const USED_VALUES = `('true', 'false', '1', '0', 'TRUE', 'FALSE', 'True', 'False')`;
const USED_OK = `coalesce(used IN ${USED_VALUES}, false)`;
const USED = `used IN ('true', '1', 'TRUE', 'True')`;

/** The parameters both statements take: $1 the month's first day, $2 its last day. */
export const LINE_OK = `CASE WHEN ${MSISDN_OK} AND ${SERVICE_OK} AND ${ACTIVATED_OK} AND ${CANCELLED_OK} AND ${USED_OK}
  THEN activated_on::date <= $2::date
   AND coalesce(nullif(cancelled_on, '')::date >= activated_on::date AND nullif(cancelled_on, '')::date >= $1::date, true)
  ELSE false END`;

/** The good lines, typed, into billing_lines under the import ($3). */
export const INSERT_GOOD_LINES = `
  INSERT INTO billing_lines (import_id, msisdn, service_code, activated_on, cancelled_on, used)
  SELECT $3, msisdn, service_code, activated_on::date, nullif(cancelled_on, '')::date, ${USED}
    FROM billing_staging
   WHERE ${LINE_OK}`;

/**
 * Every fault of the first bad lines, by line and field ($3: how many to list). A line's number is
 * its place in the staging table, which COPY filled in the file's order (a fresh table: its rows
 * lie in the order they were written), after the header's line 1.
 */
export const BAD_LINES = `
  SELECT s.line::int AS line, e.field, e.message
    FROM (SELECT *, row_number() OVER (ORDER BY ctid) + 1 AS line FROM billing_staging) s
   CROSS JOIN LATERAL (VALUES
     (1, 'msisdn', CASE WHEN NOT ${MSISDN_OK} THEN '5 to 20 digits' END),
     (2, 'service_code', CASE WHEN NOT ${SERVICE_OK} THEN 'required, at most 100 characters' END),
     (3, 'activated_on', CASE WHEN NOT ${ACTIVATED_OK} THEN 'a day YYYY-MM-DD of the calendar (1900-2099)' END),
     (4, 'cancelled_on', CASE WHEN NOT ${CANCELLED_OK} THEN 'a day YYYY-MM-DD of the calendar (1900-2099), or empty while active' END),
     (5, 'used', CASE WHEN NOT ${USED_OK} THEN 'true, false, 1 or 0' END),
     (6, 'activated_on', CASE WHEN ${ACTIVATED_OK} THEN CASE WHEN activated_on::date > $2::date THEN 'after the month''s last day' END END),
     (7, 'cancelled_on', CASE WHEN ${ACTIVATED_OK} AND ${CANCELLED_OK}
                              THEN CASE WHEN nullif(cancelled_on, '')::date < activated_on::date THEN 'before activated_on' END END),
     (8, 'cancelled_on', CASE WHEN ${CANCELLED_OK} THEN CASE WHEN nullif(cancelled_on, '')::date < $1::date THEN 'before the month''s first day' END END)
   ) AS e(n, field, message)
   WHERE e.message IS NOT NULL
   ORDER BY s.line, e.n
   LIMIT $3`;
