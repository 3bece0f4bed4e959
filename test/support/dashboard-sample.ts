import { emptyCounts } from '../../domain/reports/figures';
import { withRates, type ReportLine } from '../../domain/reports/report';
import type { CampaignView, DashboardData } from '../../api/dashboard/data';
import { emptySalesCounts } from '../../domain/reports/sales-points';
import { emptyHotlineCounts, hotlineLine, type HotlineCounts } from '../../domain/reports/hotline';

/** Text that is markup: names, subjects and reasons as a hostile user could type them. */
export const HOSTILE = `<img src=x onerror="alert(1)"> & 'quotes'`;

const line = (group: ReportLine['group'], counts: Partial<ReportLine['counts']>, agentHours: number | null = null): ReportLine =>
  withRates({ group, counts: { ...emptyCounts(), ...counts }, agentHours, retention: { known: 0, lost: 0 } });

function campaign(id: string, status: CampaignView['status'], name = HOSTILE): CampaignView {
  return {
    id, name, status, createdAt: new Date('2025-03-10T01:00:00Z'), updatedAt: new Date('2025-03-10T02:00:00Z'),
    maxConcurrentCalls: 40, pacingMode: 'predictive', callsPerAgent: 2, maxAbandonRate: 0.03, inFlight: 7, answered: 120, abandoned: 3,
    funnel: line({ campaign: id }, { listed: 600, dialed: 580, connected: 300, accepted: 150, ordered: 150, delivered: 120, activated: 110, followedUp: 90, connectedCalls: 320 }),
    abandonRate: 0.025, callsPerMinute: Array.from({ length: 60 }, (_, i) => (i * 7) % 13),
  };
}

/** Hotline counts: calls, marketing calls, their target calls, and the call's and the app's recommendations. */
function hotlineCounts(calls: number, marketing: number, target: number): HotlineCounts {
  const c = { ...emptyHotlineCounts(), callsHandled: calls, marketingCalls: marketing, targetCalls: target, recommendations: 9, presented: 8, successes: 3 };
  c.endedCallsWithOffer = marketing;
  c.handleSecondsWithOffer = marketing * 420;
  c.endedCallsWithoutOffer = calls - marketing;
  c.handleSecondsWithoutOffer = (calls - marketing) * 300;
  c.channels.call = { presented: 6, successes: 2 };
  c.channels.app = { presented: 2, successes: 1 };
  return c;
}

/** A page's worth of figures, every name in it markup. */
export function sampleDashboard(live = true): DashboardData {
  const period = { from: '2025-02-10', to: '2025-03-11' };
  return {
    asOf: new Date('2025-03-11T08:00:00Z'),
    campaigns: { period, live: live ? [campaign('c-live', 'running')] : [], ended: [campaign('c-done', 'completed', 'Spring upsell')] },
    daily: { period, rows: [line({ day: '2025-03-10' }, { calls: 900, accepted: 120, ordered: 118, connected: 300, dialed: 500 }), line({ day: '2025-03-11' }, { calls: 400, accepted: 30, ordered: 30 })] },
    agents: {
      period, count: 2,
      top: [
        { ...line({ agent: 'a-1' }, { calls: 80, accepted: 12, dialed: 60, connected: 30 }, 6.5), agent: 'a-1', name: HOSTILE },
        { ...line({ agent: 'a-2' }, { calls: 70, accepted: 9 }, 0.25), agent: 'a-2', name: null },
      ],
    },
    roi: { period, rows: [{ campaignId: 'c-done', cost: 1200.5, revenue: 6960, roi: 4.7975 }] },
    held: [{ region: 'gd', bands: [3, 1, 0, 2, 1], total: 7, escalated: 3 }],
    backorders: [{ warehouse: 'wh-south', sku: 'handset', orders: 4, wanted: 5, onHand: 1, missing: 4, waitingSince: new Date('2025-03-10T03:00:00Z') }],
    salesPoints: {
      month: '2025-03',
      byArea: [{ area: 'north', counts: { ...emptySalesCounts(), sales: 40, reconciled: 30, matched: 25, earnedPoints: 250, totalPoints: 246, provisionalPoints: 60 } }],
      top: [{ rank: 1, staffId: 's-1', name: HOSTILE, outlet: 'shop-1', sales: 12, matched: 10, points: 96.5 }],
      alerts: [{
        id: 1, kind: 'points-budget', subject: '2025-03/area/north', level: '80%', message: HOSTILE, raisedAt: '2025-03-10T03:00:00.000Z',
        deliveredAt: null, deliveryAttempts: 0, lastError: null, acknowledgedBy: null, acknowledgedAt: null,
      }],
    },
    hotline: {
      period: { from: '2025-03-01', to: '2025-03-11' }, month: '2025-03', target: 0.2,
      teams: [{ team: HOSTILE, line: hotlineLine({ team: HOSTILE }, hotlineCounts(40, 10, 8)) }, { team: 'h-2', line: hotlineLine({ team: 'h-2' }, hotlineCounts(20, 3, 4)) }],
      totals: hotlineLine({}, hotlineCounts(60, 13, 12)),
    },
  };
}
