/**
 * STAND-IN (helper D): replaced at merge by the reconciliation's own module. Only RunTotals is here,
 * with the fields the run's workflow shows (points, staff).
 */

/** What a month's reconciliation came to. */
export interface RunTotals {
  entries: number;
  matched: number;
  unmatched: number;
  awaitingUsage: number;
  /** Staff members who earned or lost points in the month. */
  staff: number;
  /** The month's points, all kinds together. */
  points: number;
}
