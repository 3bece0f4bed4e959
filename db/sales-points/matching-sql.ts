import type { Queryable } from '../queryable';
import { UNMATCHED_REASONS, type RunTotals } from '../../domain/sales-points/reconciliation';

/**
 * The month's sales against billing's list, set-based (hash joins, no per-row queries): 200k
 * sales and a 1M-line import in seconds. Everything runs in the reconciliation's transaction;
 * the temporary tables go with its commit.
 *
 * Parameters by name (@month, …, bound by `named`): the month's first day, the import, the
 * operator's time zone, the month's last day, usage_wait_months, clawback_months, complaint_points.
 */

/**
 * The lines of the import the run looks at, typed (billing_subscriptions): first those of the
 * month's sales, one hash join of the import's partition with them (Postgres runs it in parallel;
 * a month has one sale per number and service, so a line joins once), each with its sale and the
 * sale's day in the operator's zone (worked out here, in parallel, once) …
 */
const MONTH_LINES = `
CREATE TEMP TABLE recon_lines ON COMMIT DROP AS
SELECT e.id AS entry_id, (e.sold_at AT TIME ZONE @tz::text)::date AS sale_day, b.msisdn, b.service_code, b.activated_on, b.cancelled_on, b.used
  FROM billing_subscriptions b JOIN sales_entries e ON e.msisdn = b.msisdn AND e.service_code = b.service_code
 WHERE b.import_id = @import AND e.month = @month::date`;

/** … then the numbers and services of earlier sales still awaiting usage and of credits of closed months that may be clawed back … */
const OTHER_PAIRS = `
CREATE TEMP TABLE recon_other_pairs ON COMMIT DROP AS
SELECT e.msisdn, e.service_code FROM sales_matches sm JOIN sales_entries e ON e.id = sm.entry_id
 WHERE sm.outcome = 'awaiting-usage' AND sm.month < @month::date AND sm.month >= @month::date - make_interval(months => @wait::int)
UNION
SELECT e.msisdn, e.service_code FROM points_ledger_by_sale l JOIN sales_entries e ON e.id = l.entry_id
 WHERE l.kind IN ('sale', 'usage-credit') AND l.month < @month::date AND l.month >= @month::date - make_interval(months => @claw::int)`;

/** … and their lines, when there are any, with no sale (a line may come twice, when its sale is this month's too: every reader takes it once). */
const OTHER_LINES = `
INSERT INTO recon_lines (msisdn, service_code, activated_on, cancelled_on, used)
SELECT b.msisdn, b.service_code, b.activated_on, b.cancelled_on, b.used
  FROM billing_subscriptions b JOIN recon_other_pairs p ON p.msisdn = b.msisdn AND p.service_code = b.service_code
 WHERE b.import_id = @import`;

/**
 * Each sale of the month (recon_sales) with the line it matched (of several, the one active at
 * month end, then one activated on or after the sale's day, then the latest, then the one cancelled
 * last or not at all, then a used one: chosen among the lines alone, before they meet their sales,
 * which sorts narrower rows and lets the sales be joined by hashing, a third less time than sorting
 * the joined rows), the service's terms in force on the sale's day (in the operator's zone), and its
 * outcome and reason. (What a person reads of an unmatched sale, its detail, is written for those
 * alone: WRITE_MATCHES.) The CTEs of JUDGE_AND_WRITE.
 */
const MONTH_SALES = `
terms AS (
  SELECT service_code, effective_from, points, requires_usage,
         lead(effective_from) OVER (PARTITION BY service_code ORDER BY effective_from) AS until
    FROM sales_service_terms
), line AS (
  SELECT e.id, e.msisdn, e.service_code, e.staff_id, e.outlet, e.area, e.department, e.channel, e.month,
         coalesce(b.sale_day, (e.sold_at AT TIME ZONE @tz::text)::date) AS sale_day, b.activated_on, b.cancelled_on, b.used
    FROM sales_entries e LEFT JOIN (
           SELECT DISTINCT ON (entry_id) * FROM recon_lines WHERE entry_id IS NOT NULL
            ORDER BY entry_id, (activated_on <= @end::date) DESC, (cancelled_on IS NULL OR cancelled_on > @end::date) DESC,
                     (activated_on >= sale_day) DESC, activated_on DESC, cancelled_on DESC NULLS FIRST, used DESC) b ON b.entry_id = e.id
   WHERE e.month = @month::date
), earned AS (
  -- the month's sales whose number and service an earlier month's sale earned and kept (not clawed
  -- back): the latest such sale, looked up from the month's lines by the sales' key (number,
  -- service, month) and the ledger's indexes, so that it costs the month, not the history
  SELECT DISTINCT ON (b.entry_id) b.entry_id AS for_entry, p.id AS entry_id, p.month
    FROM recon_lines b
    JOIN sales_entries p ON p.msisdn = b.msisdn AND p.service_code = b.service_code AND p.month < @month::date
   WHERE b.entry_id IS NOT NULL
     AND (EXISTS (SELECT 1 FROM points_ledger l
                   WHERE l.entry_id = p.id AND l.kind IN ('sale', 'usage-credit') AND l.month < @month::date AND l.points > 0
                     AND NOT EXISTS (SELECT 1 FROM points_ledger c WHERE c.kind = 'clawback' AND c.refers_to = l.id AND c.entry_id = p.id))
          OR EXISTS (SELECT 1 FROM points_ledger g -- a grouped credit: of the sale's month and staff member (migration 039)
                   WHERE g.staff_id = p.staff_id AND g.month = p.month AND g.entry_ids IS NOT NULL AND p.id = ANY(g.entry_ids) AND g.points > 0
                     AND NOT EXISTS (SELECT 1 FROM points_ledger c WHERE c.kind = 'clawback' AND c.refers_to = g.id AND c.entry_id = p.id)))
   ORDER BY b.entry_id, p.month DESC
), judged AS (
  SELECT l.*, t.points, coalesce(t.requires_usage, false) AS requires_usage, t.effective_from AS terms_from,
         er.entry_id AS earned_by, er.month AS earned_month,
         CASE WHEN l.activated_on IS NULL OR l.activated_on > @end::date THEN 'not-in-billing'
              WHEN l.cancelled_on <= @end::date THEN 'cancelled-before-month-end'
              WHEN l.activated_on < l.sale_day OR er.entry_id IS NOT NULL THEN 'activated-elsewhere-first' END AS reason
    FROM line l
    LEFT JOIN terms t ON t.service_code = l.service_code AND t.effective_from <= l.sale_day AND (t.until IS NULL OR t.until > l.sale_day)
    LEFT JOIN earned er ON er.for_entry = l.id
), recon_sales AS MATERIALIZED (
  -- (three outcomes, never NULL: WRITE_SALES's filter names the two that are not 'matched')
  SELECT j.*, CASE WHEN reason IS NOT NULL THEN 'unmatched' WHEN requires_usage AND NOT used THEN 'awaiting-usage' ELSE 'matched' END AS outcome
    FROM judged j
)`;

/**
 * What billing said of the sales it did not simply confirm: unmatched ones (with the reason) and
 * those awaiting usage. A matched sale has no row: its ledger row says it (db/sales-points/outcome-sql.ts).
 */
const WRITE_MATCHES = `
INSERT INTO sales_matches (entry_id, month, outcome, reason, detail, activated_on)
SELECT id, @month::date, outcome, reason,
       CASE
         WHEN reason = 'not-in-billing' AND activated_on IS NULL THEN 'billing''s list of ' || to_char(@month::date, 'YYYY-MM') || ' has no subscription of this number and service'
         WHEN reason = 'not-in-billing' THEN 'activated ' || activated_on || ', after the month'
         WHEN reason = 'cancelled-before-month-end' THEN 'activated ' || activated_on || ', cancelled ' || cancelled_on || ', on or before ' || @end::date
         WHEN reason IS NOT NULL AND activated_on < sale_day THEN 'activated ' || activated_on || ', before this sale on ' || sale_day
         WHEN reason IS NOT NULL THEN 'already earned by sale #' || earned_by || ' of ' || to_char(earned_month, 'YYYY-MM')
         ELSE 'activated ' || activated_on || '; the service earns once billing shows usage, none yet'
       END,
       activated_on
  FROM recon_sales WHERE outcome <> 'matched'`;

const termsText = (points: string, from: string) =>
  `CASE WHEN ${points} IS NULL THEN 'no terms in force that day, 0 points' ELSE trim_scale(${points}) || ' points by the terms from ' || ${from} END`;

/**
 * The matched sales, credited by one row per staff member, service, place, channel and terms,
 * naming its sales (entry_ids; migration 039): a month's 170,000 rows took a third of the run.
 * points_ledger_by_sale gives each sale's share. Sales paid otherwise are left out, as one hashed
 * set (a probe of the ledger per sale took 0.6 s a month).
 *
 * The sales are grouped by hashing: sorting them by the eight keys took 0.2 s more. So the array of
 * a group's sales has no ORDER BY (an aggregate's own ORDER BY rules hashing out) and is put in order
 * after. And the planner must see that hashing pays: it reckons 8 kB of state for each group's
 * array (a few hundred bytes in fact), so the judging may hash in more memory than the default
 * (matchAndCredit); and knowing nothing of a CTE's column, it reckons an equality keeps 1 row in 200
 * and an inequality 199, so the filter says "not unmatched, not awaiting usage" rather than
 * "matched" (the same: `outcome` is never NULL and has these three values, MONTH_SALES) to give it a
 * fair count of rows. A month many times the benchmark's would be sorted again, as before.
 */
const WRITE_SALES = `
INSERT INTO points_ledger (month, run_month, staff_id, kind, points, entry_ids, service_code, outlet, area, department, channel, reason)
SELECT @month::date, @month::date, staff_id, 'sale', coalesce(points * n, 0), ARRAY(SELECT unnest(ids) ORDER BY 1), service_code, outlet, area, department, channel,
       n || CASE WHEN n = 1 THEN ' sale' ELSE ' sales' END || ' of ' || service_code || ' sold '
       || CASE WHEN first_day = last_day THEN 'on ' || first_day ELSE first_day || ' to ' || last_day END
       || ' matched billing''s list of ' || to_char(@month::date, 'YYYY-MM') || ' (import #' || @import::bigint || '): '
       || CASE WHEN points IS NULL THEN 'no terms in force those days, 0 points' ELSE trim_scale(points) || ' points each by the terms from ' || terms_from END
  FROM (
    SELECT staff_id, service_code, outlet, area, department, channel, terms_from, points,
           array_agg(id) AS ids, count(*) AS n, min(sale_day) AS first_day, max(sale_day) AS last_day
      FROM recon_sales s WHERE outcome <> 'unmatched' AND outcome <> 'awaiting-usage'
       AND s.id NOT IN (
         -- a closed later month credited it on usage already (this month run again since, on a newer
         -- list). An open one's credit is not: that month is stale now and its run credits it no more.
         SELECT l.entry_id FROM points_ledger l JOIN sales_point_runs r ON r.month = l.month AND r.status = 'closed'
          WHERE l.kind = 'usage-credit' AND l.month > @month::date AND l.entry_id IS NOT NULL
         UNION ALL
         -- finance accepted a dispute of it (an adjustment paid it) before this run matched it
         SELECT d.entry_id FROM sales_disputes d WHERE d.status = 'accepted' AND d.ledger_id IS NOT NULL)
     GROUP BY staff_id, service_code, outlet, area, department, channel, terms_from, points) g
 ORDER BY staff_id, service_code, outlet, terms_from, area, department, channel, points`;

/**
 * The month's sales judged, and what was judged written, in one statement: the judged sales are
 * held in memory (a temporary table of them, written and read three times, cost a tenth of the run).
 * Returns the sales by outcome and reason.
 */
const JUDGE_AND_WRITE = `
WITH ${MONTH_SALES}, matches AS (${WRITE_MATCHES}
), sales AS (${WRITE_SALES}
)
SELECT outcome, reason, count(*)::text AS n FROM recon_sales GROUP BY outcome, reason`;

/** A sale of an earlier month (within usage_wait_months) that awaited usage, now used: credited this month. */
const WRITE_USAGE_CREDITS = `
WITH terms AS (
  SELECT service_code, effective_from, points,
         lead(effective_from) OVER (PARTITION BY service_code ORDER BY effective_from) AS until
    FROM sales_service_terms
), waiting AS (
  SELECT e.*, (e.sold_at AT TIME ZONE @tz::text)::date AS sale_day
    FROM sales_matches sm JOIN sales_entries e ON e.id = sm.entry_id
   WHERE sm.outcome = 'awaiting-usage' AND sm.month < @month::date AND sm.month >= @month::date - make_interval(months => @wait::int)
     -- (a sale awaiting usage is in no grouped sale row: its month's run wrote one or the other)
     AND NOT EXISTS (SELECT 1 FROM points_ledger l WHERE l.entry_id = e.id AND l.kind IN ('sale', 'usage-credit'))
), used AS (
  SELECT DISTINCT msisdn, service_code FROM recon_lines
   WHERE used AND activated_on <= @end::date AND (cancelled_on IS NULL OR cancelled_on > @end::date)
)
INSERT INTO points_ledger (month, run_month, staff_id, kind, points, entry_id, service_code, outlet, area, department, reason)
SELECT @month::date, @month::date, w.staff_id, 'usage-credit', coalesce(t.points, 0), w.id, w.service_code, w.outlet, w.area, w.department,
       'sale #' || w.id || ' of ' || w.service_code || ' on ' || w.sale_day || ' (' || to_char(w.month, 'YYYY-MM') || ') awaited usage; billing shows it used in '
       || to_char(@month::date, 'YYYY-MM') || ': ' || ${termsText('t.points', 't.effective_from')}
  FROM waiting w
  JOIN used u ON u.msisdn = w.msisdn AND u.service_code = w.service_code
  LEFT JOIN terms t ON t.service_code = w.service_code AND t.effective_from <= w.sale_day AND (t.until IS NULL OR t.until > w.sale_day)`;

/**
 * A sale's credit of a closed month within clawback_months before this one, not clawed back yet,
 * whose subscription is missing from this month's list or cancelled in it: taken back here, naming
 * the ledger row (refers_to) and the sale (entry_id), one sale of a grouped row at a time.
 */
const WRITE_CLAWBACKS = `
WITH lines AS (
  SELECT msisdn, service_code, bool_or(cancelled_on IS NULL OR cancelled_on > @end::date) AS active, max(cancelled_on) AS cancelled_on
    FROM recon_lines GROUP BY msisdn, service_code
)
INSERT INTO points_ledger (month, run_month, staff_id, kind, points, entry_id, refers_to, service_code, outlet, area, department, reason)
SELECT @month::date, @month::date, l.staff_id, 'clawback', -l.points, l.entry_id, l.id, l.service_code, l.outlet, l.area, l.department,
       'clawback of sale #' || l.entry_id || '''s ' || trim_scale(l.points) || ' points (ledger row #' || l.id || ', ' || l.kind || ' of ' || to_char(l.month, 'YYYY-MM') || '): '
       || CASE WHEN b.msisdn IS NULL THEN 'the subscription is missing from billing''s list of ' || to_char(@month::date, 'YYYY-MM')
               ELSE 'billing shows it cancelled on ' || b.cancelled_on END
  FROM points_ledger_by_sale l
  JOIN sales_point_runs r ON r.month = l.month AND r.status = 'closed'
  JOIN sales_entries e ON e.id = l.entry_id
  LEFT JOIN lines b ON b.msisdn = e.msisdn AND b.service_code = e.service_code
 WHERE l.kind IN ('sale', 'usage-credit') AND l.points > 0
   AND l.month < @month::date AND l.month >= @month::date - make_interval(months => @claw::int)
   AND NOT EXISTS (SELECT 1 FROM points_ledger c WHERE c.kind = 'clawback' AND c.refers_to = l.id AND c.entry_id = l.entry_id)
   AND (b.msisdn IS NULL OR NOT b.active)`;

/**
 * A complaint of the month against an order: its sale's staff member loses complaint_points; an
 * order without a sale entry that names a staff member (orders.staff_id) charges them, at their
 * current outlet.
 */
const WRITE_COMPLAINTS = `
INSERT INTO points_ledger (month, run_month, staff_id, kind, points, entry_id, complaint_order_id, service_code, outlet, area, department, reason)
SELECT @month::date, @month::date, coalesce(e.staff_id, s.id), 'complaint', @complaint::numeric, e.id, c.order_id, coalesce(e.service_code, o.offer_code),
       coalesce(e.outlet, s.outlet), coalesce(e.area, a.code), coalesce(e.department, a.parent),
       'complaint against order ' || c.order_id || ' on ' || to_char(c.at AT TIME ZONE @tz::text, 'YYYY-MM-DD') || ': ' || left(c.reason, 200)
  FROM complaints c
  JOIN orders o ON o.id = c.order_id
  LEFT JOIN sales_entries e ON e.order_id = c.order_id
  LEFT JOIN staff s ON e.id IS NULL AND s.id = o.staff_id
  LEFT JOIN sales_org_units ou ON ou.code = s.outlet
  LEFT JOIN sales_org_units a ON a.code = ou.parent
 WHERE c.at >= (@month::date::timestamp AT TIME ZONE @tz::text) AND c.at < ((@end::date + 1)::timestamp AT TIME ZONE @tz::text)
   AND (e.id IS NOT NULL OR s.id IS NOT NULL)`;

export interface MatchParams { month: string; import: number; tz: string; end: string; wait: number; claw: number; complaint: string }

/** A statement with @name placeholders as pg takes it: $n in order of first use, and their values. */
export function named(sql: string, values: Record<string, unknown>): [string, unknown[]] {
  const order: string[] = [];
  const text = sql.replace(/@([a-z]+)/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`named: no value for @${name}`);
    if (!order.includes(name)) order.push(name);
    return `$${order.indexOf(name) + 1}`;
  });
  return [text, order.map((n) => values[n])];
}

/** ANALYZE's sample of the month's lines: 3,000 of them. */
const LINES_STATISTICS_TARGET = 10;
/** Hash memory of the judging, in times work_mem (Postgres's default: 2). */
const JUDGING_HASH_MEM_MULTIPLIER = 8;

export type SalesTotals = Pick<RunTotals, 'entries' | 'matched' | 'awaitingUsage' | 'unmatched'>;

/**
 * Matches the month's sales and writes their matches, sales, usage credits, clawbacks and
 * complaints. Returns the month's sales by outcome, as this run judged them.
 */
export async function matchAndCredit(tx: Queryable, p: MatchParams): Promise<SalesTotals> {
  const run = <R extends object = object>(sql: string) => tx.query<R>(...named(sql, { ...p }));
  await run(MONTH_LINES);
  const others = await run(OTHER_PAIRS);
  if (others.rowCount) await run(OTHER_LINES);
  // The judging's plan needs the lines' count and spread; a small sample says them (Postgres's
  // default sample, 30,000 lines, took a twentieth of the run).
  await tx.query(`SET LOCAL default_statistics_target = ${LINES_STATISTICS_TARGET}`);
  await tx.query('ANALYZE recon_lines');
  // For the judging alone (WRITE_SALES says why): its grouping of the matched sales may hash in up
  // to this many times work_mem before it spills to disk.
  await tx.query(`SET LOCAL hash_mem_multiplier = ${JUDGING_HASH_MEM_MULTIPLIER}`);
  const { rows } = await run<{ outcome: string; reason: string | null; n: string }>(JUDGE_AND_WRITE);
  await tx.query('SET LOCAL hash_mem_multiplier TO DEFAULT');
  await run(WRITE_USAGE_CREDITS);
  await run(WRITE_CLAWBACKS);
  await run(WRITE_COMPLAINTS);
  return salesTotals(rows);
}

/** The month's sales by outcome and reason as counted: entries, matched, awaiting usage, unmatched by reason. */
function salesTotals(rows: { outcome: string; reason: string | null; n: string }[]): SalesTotals {
  const unmatched = Object.fromEntries(UNMATCHED_REASONS.map((r) => [r, 0])) as RunTotals['unmatched'];
  let entries = 0;
  let matched = 0;
  let awaitingUsage = 0;
  for (const r of rows) {
    const n = Number(r.n);
    entries += n;
    if (r.outcome === 'matched') matched += n;
    else if (r.outcome === 'awaiting-usage') awaitingUsage += n;
    else unmatched[r.reason as keyof typeof unmatched] += n;
  }
  return { entries, matched, awaitingUsage, unmatched };
}
