/** The schedule that keeps the report rollups up to date (db/reports/rollups.ts), and its workflow's id prefix. */
export const REPORTS_ROLLUP_SCHEDULE_ID = 'reports-rollup';
/** How often it runs: reports bring the rollups up first anyway, so this only keeps that step short. */
export const REPORTS_ROLLUP_EVERY = '1 minute';

/** What one run did: slices recomputed, marks taken. */
export interface RollupRun {
  slices: number;
  marks: number;
}
