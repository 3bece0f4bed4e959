import { describe, expect, it } from 'vitest';
import { agentHoursKnown, emptyCounts, rates } from '../../domain/reports/figures';
import { reportRecords, totalOf, withRates } from '../../domain/reports/report';
import { emptyRoiSums, roiFigures } from '../../domain/reports/roi';
import { dayRuns } from '../../db/reports/rollups';

describe('report figures', () => {
  it('computes each rate from the sums, null where the denominator is zero', () => {
    const c = { ...emptyCounts(), dialed: 10, connected: 4, calls: 12, connectedCalls: 5, accepted: 2, talkSeconds: 600, abandoned: 1, ordered: 2, complaints: 1 };
    const r = rates(c, 2, { known: 0, lost: 0 });
    expect(r).toMatchObject({ contactRate: 0.4, conversionPerConnectedCall: 0.4, callsPerAgentHour: 6, salesPerAgentHour: 1, averageTalkSeconds: 120, abandonRate: 0.1667, complaintsPerThousandSales: 500 });
    expect(r.retained90).toBeNull();
    expect(r.firstTimeDeliverySuccess).toBeNull();
    expect(rates(c, null, { known: 4, lost: 1 })).toMatchObject({ callsPerAgentHour: null, retained90: 0.75 });
  });

  it('knows agent hours only for groups by agent, team and period', () => {
    expect(agentHoursKnown(['agent', 'day'], [])).toBe(true);
    expect(agentHoursKnown(['team', 'month'], ['agent'])).toBe(true);
    expect(agentHoursKnown(['agent'], ['campaign'])).toBe(false);
    expect(agentHoursKnown(['city'], [])).toBe(false);
  });

  it('adds groups up and computes the totals\' rates from the sums; CSV records a header and a row per group', () => {
    const a = { group: { day: '2025-01-01' }, counts: { ...emptyCounts(), dialed: 1, connected: 1 }, agentHours: 1, retention: { known: 0, lost: 0 } };
    const b = { group: { day: '2025-01-02' }, counts: { ...emptyCounts(), dialed: 3, connected: 0 }, agentHours: 0.5, retention: { known: 0, lost: 0 } };
    const total = totalOf([a, b], true);
    expect(total.counts.dialed).toBe(4);
    expect(total.rates.contactRate).toBe(0.25);
    expect(total.agentHours).toBe(1.5);
    const records = reportRecords(['day'], [withRates(a)]);
    expect(records[0]!.slice(0, 3)).toEqual(['day', 'listed', 'dialed']);
    expect(records[1]!.slice(0, 3)).toEqual(['2025-01-01', 0, 1]);
  });

  it('refreshes consecutive days as one run, a week at most', () => {
    expect(dayRuns(['2025-03-02', '2025-03-01', '2025-03-05', '2025-03-02', '2025-03-06', '2025-02-28'])).toEqual([
      ['2025-02-28', '2025-03-02'], ['2025-03-05', '2025-03-06'],
    ]);
    const tenDays = Array.from({ length: 10 }, (_, i) => `2025-04-${String(i + 1).padStart(2, '0')}`);
    expect(dayRuns(tenDays)).toEqual([['2025-04-01', '2025-04-07'], ['2025-04-08', '2025-04-10']]);
  });

  it('gives ROI as (net revenue − cost) / cost, and cost per sale', () => {
    const s = { ...emptyRoiSums(), grossRevenue: 700, refunds: 100, sales: 4, activated: 3 };
    s.costs.agents = 150; s.costs.telephony = 50;
    expect(roiFigures(s, 12)).toMatchObject({ totalCost: 200, costPerSale: 50, roi: 2, revenue: { net: 600, months: 12 } });
    expect(roiFigures(emptyRoiSums(), 12)).toMatchObject({ roi: null, costPerSale: null });
  });
});
