/**
 * What makes a line of billing's list good, as SQL over the import's table (COPY put each field
 * there as its text): one pass counts the bad lines, and only when there are some does a second
 * pass say which and why.
 *
 * Fast on millions of lines, and never failing on a bad field: no cast per line (a failed one
 * aborts the statement; an exception block per line costs a subtransaction each) and no regular
 * expression (Postgres's took 4 µs a match here: 4 s a million lines). Digits are checked with
 * ltrim of the bytes. A file has few distinct days (a few hundred), so the lines are grouped by
 * their two day fields and each distinct text is read as a day once (`billing_day`, migration 029).
 * docs/benchmarks.md has the figures.
 *
 * `table` is the import's own table, `billing_lines_<import id>` (linesTable), never a user's text.
 */

/**
 * Digits only: the number's bytes (textsend) trimmed of the ten digits' bytes leave nothing. Trimming
 * the text itself walks it as characters of a multibyte encoding and took three times as long: a
 * fifth of the import's checks. (textsend gives the bytes in the client's encoding, UTF-8 for
 * node-pg, which reads every text as UTF-8, and a parallel worker's in the database's, UTF-8 too: in
 * either, no character but an ASCII digit has a byte 0x30-0x39.)
 */
const MSISDN_OK = `(octet_length(s.msisdn) BETWEEN 5 AND 20 AND ltrim(textsend(s.msisdn), '0123456789'::bytea) = ''::bytea)`;
const SERVICE_OK = `(s.service_code <> '' AND length(s.service_code) <= 100)`;
const USED_OK = `s.used IN ('true', 'false', '1', '0', 'TRUE', 'FALSE', 'True', 'False')`;
const LINE_OK = `coalesce(${MSISDN_OK} AND ${SERVICE_OK} AND ${USED_OK}, false)`;

/** Of a line or group `g` whose days were read as a.d and c.d: its days, and whether they fit the month ($1 its first day, $2 its last). */
const NOT_CANCELLED = (g: string) => `(${g}.cancelled_on IS NULL OR ${g}.cancelled_on = '')`;
const DAYS_OK = (g: string) => `(a.d IS NOT NULL AND (${NOT_CANCELLED(g)} OR c.d IS NOT NULL))`;
/** Activated by the month's end, not cancelled before its start nor before activation. */
const FITS_MONTH = `(a.d <= $2::date AND (c.d IS NULL OR (c.d >= a.d AND c.d >= $1::date)))`;

/** The import's table: a whole number's name, nothing a user wrote. */
export const linesTable = (importId: number): string => {
  if (!Number.isSafeInteger(importId) || importId <= 0) throw new Error(`linesTable: not an import id: ${importId}`);
  return `billing_lines_${importId}`;
};

/** The import's lines grouped by their two day fields, each group with its lines and its lines bad but for their days (in parallel: no day is read here). */
export const GROUP_LINES = (table: string) => `
  CREATE TEMP TABLE billing_groups ON COMMIT DROP AS
  SELECT s.activated_on, s.cancelled_on, count(*) AS n, count(*) FILTER (WHERE NOT ${LINE_OK}) AS bad
    FROM ${table} s GROUP BY 1, 2`;

/** How many lines of the import are bad (0: the file is good), from its groups: each distinct day read once. */
export const COUNT_BAD_LINES = `
  WITH days AS (
    SELECT t AS s, billing_day(t) AS d FROM (SELECT activated_on FROM billing_groups UNION SELECT cancelled_on FROM billing_groups) x(t)
  )
  SELECT coalesce(sum(CASE WHEN ${DAYS_OK('g')} AND ${FITS_MONTH} THEN g.bad ELSE g.n END), 0)::bigint AS bad
    FROM billing_groups g LEFT JOIN days a ON a.s = g.activated_on LEFT JOIN days c ON c.s = g.cancelled_on`;

/**
 * Every fault of the first bad lines, by line and field ($3: how many to list). A line's number is
 * its place in the import's table, which COPY filled in the file's order (a table made in this
 * transaction: its rows lie in the order they were written), after the header's line 1.
 */
export const BAD_LINES = (table: string) => `
  WITH days AS (
    SELECT t AS s, billing_day(t) AS d FROM (SELECT activated_on FROM ${table} UNION SELECT cancelled_on FROM ${table}) x(t)
  )
  SELECT x.line::int AS line, e.field, e.message
    FROM (SELECT s.*, a.d AS on_day, c.d AS off_day, ${MSISDN_OK} AS msisdn_ok, ${SERVICE_OK} AS service_ok,
                 (${NOT_CANCELLED('s')} OR c.d IS NOT NULL) AS cancelled_ok, coalesce(${USED_OK}, false) AS used_ok,
                 row_number() OVER (ORDER BY s.ctid) + 1 AS line
            FROM ${table} s LEFT JOIN days a ON a.s = s.activated_on LEFT JOIN days c ON c.s = s.cancelled_on) x
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
