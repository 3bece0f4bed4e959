/**
 * "The first report wins", for reports that arrive more than once (a webhook the sender retries, a
 * poll of the dialer racing its webhook): the statement writes a report only into the columns still
 * empty, so a repeated or late one changes nothing, and returns the row as first recorded.
 *
 * `first` says whether this report was the one recorded: a subquery in RETURNING reads the row as
 * it was before the statement (the statement's snapshot), so `decidedBy IS NULL` there means no
 * report had set it yet. The row is identified by `id = $1`.
 */
export function recordFirstReport(s: {
  table: string;
  /** Column → the parameter ($n) carrying the report's value for it. */
  set: Record<string, string>;
  /** The row the report is about, over `id = $1` and anything else it must match. */
  where: string;
  returning: string;
  /** The column whose being set means a report is in (an outcome, a disposition). */
  decidedBy?: string;
}): string {
  const set = Object.entries(s.set).map(([column, value]) => `${column} = COALESCE(${column}, ${value})`).join(', ');
  const first = s.decidedBy ? `, (SELECT ${s.decidedBy} IS NULL FROM ${s.table} WHERE id = $1) AS first` : '';
  return `UPDATE ${s.table} SET ${set} WHERE ${s.where} RETURNING ${s.returning}${first}`;
}
