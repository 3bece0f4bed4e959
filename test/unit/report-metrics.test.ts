import { describe, expect, it } from 'vitest';
import { metricsText, observeReport } from '../../infra/metrics';
import { parseExposition, sampleValue } from '../support/prometheus';

const scrape = async () => parseExposition(await metricsText());

describe('observeReport', () => {
  it('times a report by name and format, a failed one too, counts the failure and throws it on', async () => {
    expect(await observeReport('funnel', 'csv', async () => {
      await new Promise((r) => setTimeout(r, 30));
      return 'a,b\n';
    })).toBe('a,b\n');
    await expect(observeReport('funnel', 'csv', async () => { throw new Error('no such campaign'); })).rejects.toThrow('no such campaign');
    await observeReport('roi', 'json', async () => ({}));

    const e = await scrape();
    const funnelCsv = { report: 'funnel', format: 'csv' };
    expect(sampleValue(e, 'telemarketing_report_duration_seconds_count', funnelCsv)).toBe(2);
    expect(sampleValue(e, 'telemarketing_report_duration_seconds_sum', funnelCsv)).toBeGreaterThanOrEqual(0.025);
    expect(sampleValue(e, 'telemarketing_report_duration_seconds_bucket', { ...funnelCsv, le: '+Inf' })).toBe(2);
    expect(sampleValue(e, 'telemarketing_report_failures_total', funnelCsv)).toBe(1);
    expect(sampleValue(e, 'telemarketing_report_duration_seconds_count', { report: 'roi', format: 'json' })).toBe(1);
    expect(sampleValue(e, 'telemarketing_report_failures_total', { report: 'roi' })).toBeUndefined();
  });
});
