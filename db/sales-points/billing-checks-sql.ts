/**
 * What makes a line of billing's list good, as SQL over the staging table's text columns (COPY
 * puts each field there as it came): one expression keeps the good lines while they are written
 * to billing_lines, and only when some were not does a second pass say which and why.
 *
 * Without exceptions per row (a failed cast would abort the statement, and a subtransaction per
 * row costs too much for millions): a day is checked by one regular expression that knows each
 * month's length and the leap years of 1900-2099, and is cast only once it matched.
 */

const DAY_RE = '^(?:(?:19|20)[0-9]{2}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)'
  + '|(?:19|20)(?:0[48]|[2468][048]|[13579][26])-02-29|2000-02-29)$';

/** The parameters both statements take: $1 the month's first day, $2 its last day. */
const MSISDN_OK = `coalesce(msisdn ~ '^[0-9]{5,20}$', false)`;
const SERVICE_OK = `coalesce(service_code <> '' AND length(service_code) <= 100, false)`;
const ACTIVATED_OK = `coalesce(activated_on ~ '${DAY_RE}', false)`;
const CANCELLED_OK = `coalesce(nullif(cancelled_on, '') ~ '${DAY_RE}', true)`;
const USED_OK = `coalesce(lower(used) IN ('true', 'false', '1', '0'), false)`;

/** The line's fields are well formed and its days fit the month (each cast only after its check). */
export const LINE_OK = `CASE WHEN ${MSISDN_OK} AND ${SERVICE_OK} AND ${ACTIVATED_OK} AND ${CANCELLED_OK} AND ${USED_OK}
  THEN activated_on::date <= $2::date
   AND coalesce(nullif(cancelled_on, '')::date >= activated_on::date AND nullif(cancelled_on, '')::date >= $1::date, true)
  ELSE false END`;

/** The good lines, typed, into billing_lines under the import ($3). */
export const INSERT_GOOD_LINES = `
  INSERT INTO billing_lines (import_id, msisdn, service_code, activated_on, cancelled_on, used)
  SELECT $3, msisdn, service_code, activated_on::date, nullif(cancelled_on, '')::date, lower(used) IN ('true', '1')
    FROM billing_staging
   WHERE ${LINE_OK}`;

/** Every fault of the first bad lines, by line and field ($3: how many to list). */
export const BAD_LINES = `
  SELECT s.line::int AS line, e.field, e.message
    FROM billing_staging s
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
