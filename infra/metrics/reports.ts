import { reportFailures, reportLatency } from './definitions';

/** How a report is served: the figures (json), a file (csv), a chart (svg). */
export type ReportFormat = 'json' | 'csv' | 'svg';

/**
 * Runs one report and times it into `telemarketing_report_duration_seconds{report, format}`; a
 * report that throws is timed too, counted in `telemarketing_report_failures_total`, and its error
 * thrown on. `report` is the report's fixed name ('funnel', 'roi', ...), never anything a caller
 * typed: each name is a series of its own.
 *
 *     return observeReport('funnel', 'csv', () => renderFunnelCsv(db, query));
 */
export async function observeReport<T>(report: string, format: ReportFormat, fn: () => Promise<T>): Promise<T> {
  const end = reportLatency.startTimer({ report, format });
  try {
    return await fn();
  } catch (err) {
    reportFailures.inc({ report, format });
    throw err;
  } finally {
    end();
  }
}
