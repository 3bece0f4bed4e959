/**
 * Ends calls that have no outcome yet with one of our own (not placed, refused by the checks),
 * never over one already in: the dialer's report, when it came first, wins. `$1` holds the call
 * ids, `disposition` is a parameter or a quoted literal.
 */
export const endCallsWithoutOutcome = (disposition: string): string =>
  `UPDATE call_attempts SET disposition = ${disposition}, connected = false, duration_sec = 0, ended_at = now()
    WHERE id = ANY($1::text[]) AND disposition IS NULL`;
