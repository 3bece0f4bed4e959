/**
 * What billing said of a sale, read the same way everywhere (docs/sales-points.md, "Matching"):
 * a reconciliation writes a sales_matches row for each sale billing did not simply confirm
 * (unmatched, with the reason; awaiting usage), and none for a matched one, whose ledger row says
 * it (a month's 200,000 rows that repeated its ledger took a third of the run: docs/benchmarks.md).
 * So a sale of a reconciled month without a row was matched; a sale of a month not reconciled yet
 * has no outcome (null).
 *
 * `e` is the alias of sales_entries in the query; `m` and `r` the aliases these joins take.
 */
export const outcomeJoins = (e: string, m = 'm', r = 'mr'): string =>
  `LEFT JOIN sales_matches ${m} ON ${m}.entry_id = ${e}.id
   LEFT JOIN sales_point_runs ${r} ON ${r}.month = ${e}.month AND ${r}.reconciled_at IS NOT NULL`;

/** The sale's outcome, 'matched' | 'awaiting-usage' | 'unmatched', or null while its month is not reconciled. */
export const outcomeOf = (m = 'm', r = 'mr'): string =>
  `(CASE WHEN ${m}.entry_id IS NOT NULL THEN ${m}.outcome WHEN ${r}.month IS NOT NULL THEN 'matched' END)`;
